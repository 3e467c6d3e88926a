import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EM_AARCH64, parseElf, readElf } from '../../harness/images/elf.ts';
import { craftElf } from './fixtures/craft-elf.ts';

/** readelf is an independent reader: what it prints is what ours must find. */
function readelfNeeded(path: string): { needed: string[]; interpreter: string | undefined } {
  const dynamic = execFileSync('aarch64-linux-gnu-readelf', ['-dW', path], { encoding: 'utf8' });
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
  const headers = execFileSync('aarch64-linux-gnu-readelf', ['-lW', path], { encoding: 'utf8' });
  const interpreter = /Requesting program interpreter: ([^\]]+)\]/.exec(headers)?.[1];
  return { needed, interpreter };
}

describe('parseElf on crafted files', () => {
  it('reads interpreter, NEEDED in order, SONAME and RUNPATH from a 64-bit little-endian ELF', () => {
    const info = parseElf(
      craftElf({ interpreter: '/lib/ld-test.so.1', needed: ['libfoo.so.1', 'libbar.so.2'], soname: 'libself.so.0', runpath: '$ORIGIN/../lib:/opt/x' }),
    );
    expect(info.bits).toBe(64);
    expect(info.machine).toBe(EM_AARCH64);
    expect(info.interpreter).toBe('/lib/ld-test.so.1');
    expect(info.needed).toEqual(['libfoo.so.1', 'libbar.so.2']);
    expect(info.soname).toBe('libself.so.0');
    expect(info.runpath).toEqual(['$ORIGIN/../lib', '/opt/x']);
  });

  it('reads a 32-bit big-endian ELF the same way', () => {
    const info = parseElf(craftElf({ bits: 32, littleEndian: false, machine: 20, needed: ['libc.so.6'] }));
    expect(info).toMatchObject({ bits: 32, littleEndian: false, machine: 20, needed: ['libc.so.6'], interpreter: undefined });
  });

  it('reports a static file (no PT_DYNAMIC) as needing nothing', () => {
    const elf = craftElf({ needed: [] });
    // Turn the PT_DYNAMIC header into PT_NULL.
    const dynamicHeader = 64 + 56;
    elf.writeUInt32LE(0, dynamicHeader);
    expect(parseElf(elf).needed).toEqual([]);
  });

  it('rejects non-ELF and truncated input with E_ELF_FORMAT', () => {
    expect(() => parseElf(Buffer.from('#!/bin/sh\n'), 'script')).toThrow(expect.objectContaining({ code: 'E_ELF_FORMAT' }));
    const truncated = craftElf({ needed: ['libfoo.so.1'] }).subarray(0, 100);
    expect(() => parseElf(truncated, 'cut')).toThrow(/cut: not a readable ELF file/);
  });
});

describe('parseElf on real arm64 binaries', () => {
  it('agrees with readelf on the cross libc and libstdc++', async () => {
    for (const lib of ['/usr/aarch64-linux-gnu/lib/libc.so.6', '/usr/aarch64-linux-gnu/lib/libm.so.6']) {
      if (!existsSync(lib)) continue;
      const ours = await readElf(lib);
      const theirs = readelfNeeded(lib);
      expect(ours.machine).toBe(EM_AARCH64);
      expect(ours.needed).toEqual(theirs.needed);
      expect(ours.needed.length).toBeGreaterThan(0);
    }
  });

  it('agrees with readelf on a freshly cross-compiled executable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pilot-elf-'));
    writeFileSync(join(dir, 'main.c'), '#include <math.h>\nint main(int c, char **v) { return (int)cos(c); }\n');
    execFileSync('aarch64-linux-gnu-gcc', ['-O1', '-o', join(dir, 'main'), join(dir, 'main.c'), '-lm']);
    const ours = parseElf(readFileSync(join(dir, 'main')));
    const theirs = readelfNeeded(join(dir, 'main'));
    expect(ours.interpreter).toBe(theirs.interpreter);
    expect(ours.interpreter).toBe('/lib/ld-linux-aarch64.so.1');
    expect(ours.needed).toEqual(theirs.needed);
    expect(ours.needed).toContain('libm.so.6');
  });
});
