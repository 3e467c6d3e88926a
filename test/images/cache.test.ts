import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson, ensureEntry, entryDir, withCacheLock } from '../../harness/images/cache.ts';
import { templateHash } from '../../harness/images/initramfs.ts';

const newCache = () => mkdtempSync(join(tmpdir(), 'pilot-cache-test-'));

describe('cache keys', () => {
  it('are equal for the same inputs whatever the key order, and differ when any input changes', () => {
    const inputs = { image: { name: 'linux-image-6.1.0-56-arm64', version: '6.1.192-2', sha256: 'ab' }, recipe: 'r1' };
    const reordered = { recipe: 'r1', image: { sha256: 'ab', version: '6.1.192-2', name: 'linux-image-6.1.0-56-arm64' } };
    expect(canonicalJson(inputs)).toBe(canonicalJson(reordered));
    expect(cacheKey('kernel', inputs)).toBe(cacheKey('kernel', reordered));
    expect(cacheKey('kernel', inputs)).not.toBe(cacheKey('kernel', { ...inputs, recipe: 'r2' }));
    expect(cacheKey('kernel', inputs)).not.toBe(cacheKey('kernel', { ...inputs, image: { ...inputs.image, version: '6.1.192-3' } }));
    expect(cacheKey('kernel', inputs)).not.toBe(cacheKey('xen', inputs));
    expect(cacheKey('kernel', inputs)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('change with the /init template contents', async () => {
    const dir = newCache();
    writeFileSync(join(dir, 'init'), '#!/bin/sh\necho one\n');
    const before = await templateHash(dir);
    expect(await templateHash(dir)).toBe(before);
    writeFileSync(join(dir, 'init'), '#!/bin/sh\necho two\n');
    expect(await templateHash(dir)).not.toBe(before);
  });
});

describe('ensureEntry', () => {
  it('builds once, then serves the entry from the cache', async () => {
    const cacheDir = newCache();
    let builds = 0;
    const build = async (tmp: string) => {
      builds++;
      await writeFile(join(tmp, 'payload'), 'data');
      return { n: builds };
    };
    const first = await ensureEntry({ cacheDir, piece: 'p', key: cacheKey('p', 1), build });
    const second = await ensureEntry({ cacheDir, piece: 'p', key: cacheKey('p', 1), build });
    expect(first).toMatchObject({ built: true, manifest: { n: 1 } });
    expect(second).toMatchObject({ built: false, manifest: { n: 1 }, dir: first.dir });
    expect(await readFile(join(second.dir, 'payload'), 'utf8')).toBe('data');
    expect(builds).toBe(1);
    const forced = await ensureEntry({ cacheDir, piece: 'p', key: cacheKey('p', 1), build, force: true });
    expect(forced).toMatchObject({ built: true, manifest: { n: 2 } });
  });

  it('rebuilds dependents only: a changed input key misses, an unchanged one hits', async () => {
    const cacheDir = newCache();
    const built: string[] = [];
    const piece = (name: string, inputs: unknown) =>
      ensureEntry({ cacheDir, piece: name, key: cacheKey(name, inputs), build: async () => (built.push(name), {}) });
    const kernel = await piece('kernel', { version: 1 });
    await piece('initramfs', { kernel: kernel.key, init: 'a' });
    built.length = 0;
    const kernelAgain = await piece('kernel', { version: 1 });
    await piece('initramfs', { kernel: kernelAgain.key, init: 'b' });
    expect(built).toEqual(['initramfs']);
  });

  it('leaves no entry and no temp folder when the build fails or is interrupted', async () => {
    const cacheDir = newCache();
    const key = cacheKey('p', 'x');
    await expect(
      ensureEntry({
        cacheDir,
        piece: 'p',
        key,
        build: async (tmp) => {
          await writeFile(join(tmp, 'half'), 'written');
          throw new Error('Ctrl-C');
        },
      }),
    ).rejects.toThrow('Ctrl-C');
    expect(existsSync(entryDir(cacheDir, 'p', key))).toBe(false);
    expect(readdirSync(join(cacheDir, 'tmp'))).toEqual([]);
  });

  it('ignores an entry folder without a manifest (a copy interrupted by hand)', async () => {
    const cacheDir = newCache();
    const key = cacheKey('p', 'y');
    const dir = entryDir(cacheDir, 'p', key);
    await ensureEntry({ cacheDir, piece: 'p', key, build: async () => ({ v: 1 }) });
    await writeFile(join(dir, 'pilot-entry.json'), '{ truncated');
    const again = await ensureEntry({ cacheDir, piece: 'p', key, build: async () => ({ v: 2 }) });
    expect(again).toMatchObject({ built: true, manifest: { v: 2 } });
  });
});

describe('withCacheLock', () => {
  it('runs builds on one cache one at a time', async () => {
    const cacheDir = newCache();
    const events: string[] = [];
    const job = (name: string) =>
      withCacheLock(cacheDir, async () => {
        events.push(`${name}:start`);
        await new Promise((r) => setTimeout(r, 30));
        events.push(`${name}:end`);
      });
    await Promise.all([job('a'), job('b')]);
    expect(events).toEqual(['a:start', 'a:end', 'b:start', 'b:end']);
    expect(existsSync(join(cacheDir, 'lock'))).toBe(false);
  });

  it('takes over a lock left by a dead process', async () => {
    const cacheDir = newCache();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(cacheDir, 'lock'));
    writeFileSync(join(cacheDir, 'lock/pid'), '999999999');
    const result = await withCacheLock(cacheDir, async () => 'ran', { timeoutMs: 2000 });
    expect(result).toBe('ran');
  });

  it('waits for a live holder, then gives up with E_CACHE_LOCKED', async () => {
    const cacheDir = newCache();
    const { mkdirSync } = await import('node:fs');
    const { spawn } = await import('node:child_process');
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      mkdirSync(join(cacheDir, 'lock'));
      writeFileSync(join(cacheDir, 'lock/pid'), `${holder.pid} 0 ${boot}`);
      const waitedFor: number[] = [];
      let ran = false;
      await expect(
        withCacheLock(cacheDir, async () => { ran = true; }, { timeoutMs: 600, onWait: (pid) => waitedFor.push(pid) }),
      ).rejects.toMatchObject({ code: 'E_CACHE_LOCKED' });
      expect(ran).toBe(false);
      expect(waitedFor).toEqual([holder.pid]);
    } finally {
      holder.kill();
    }
  });
});

