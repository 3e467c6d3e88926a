import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, readCpio, writeGzippedCpio, type CpioEntry } from '../../harness/images/cpio.ts';

describe('newc cpio writer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pilot-cpio-'));
  writeFileSync(join(dir, 'busybox'), Buffer.from([1, 2, 3, 4, 5]));
  const entries: CpioEntry[] = [
    { type: 'file', path: '/bin/busybox', mode: 0o755, source: join(dir, 'busybox') },
    { type: 'dir', path: 'bin', mode: 0o755 },
    { type: 'dir', path: 'root/.ssh', mode: 0o700 },
    { type: 'dir', path: 'root', mode: 0o700 },
    { type: 'file', path: 'root/.ssh/authorized_keys', mode: 0o600, source: Buffer.from('ssh-ed25519 AAAA test\n') },
    { type: 'symlink', path: 'sbin', target: 'bin' },
    { type: 'char', path: 'dev/console', mode: 0o600, major: 5, minor: 1 },
    { type: 'dir', path: 'dev', mode: 0o755 },
  ];

  it('round-trips names, types, modes and contents, parents before children', async () => {
    const out = join(dir, 'a.cpio.gz');
    await writeGzippedCpio(out, entries);
    const members = readCpio(readFileSync(out));
    expect(members.map((m) => m.path)).toEqual(['bin', 'bin/busybox', 'dev', 'dev/console', 'root', 'root/.ssh', 'root/.ssh/authorized_keys', 'sbin']);
    const byPath = Object.fromEntries(members.map((m) => [m.path, m]));
    expect(byPath['bin/busybox']!.mode).toBe(S_IFREG | 0o755);
    expect([...byPath['bin/busybox']!.data]).toEqual([1, 2, 3, 4, 5]);
    expect(byPath['root/.ssh']!.mode).toBe(S_IFDIR | 0o700);
    expect(byPath['root/.ssh/authorized_keys']!.mode & 0o7777).toBe(0o600);
    expect(byPath['sbin']!.mode & S_IFMT).toBe(S_IFLNK);
    expect(byPath['sbin']!.data.toString()).toBe('bin');
    expect(byPath['dev/console']).toMatchObject({ mode: S_IFCHR | 0o600, rdevMajor: 5, rdevMinor: 1 });
    expect(members.every((m) => m.uid === 0 && m.gid === 0)).toBe(true);
  });

  it('writes archives GNU cpio lists identically', async () => {
    const out = join(dir, 'b.cpio.gz');
    await writeGzippedCpio(out, entries);
    const input = gunzipSync(readFileSync(out));
    const names = execFileSync('cpio', ['-it', '--quiet'], { input, encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual(['bin', 'bin/busybox', 'dev', 'dev/console', 'root', 'root/.ssh', 'root/.ssh/authorized_keys', 'sbin']);
    const lines = execFileSync('cpio', ['-itv', '--quiet'], { input, encoding: 'utf8' }).trim().split('\n');
    expect(lines[7]).toMatch(/sbin -> bin$/);
    expect(lines[1]).toMatch(/^-rwxr-xr-x\s+1 root\s+root\s+5 /);
    expect(lines[3]).toMatch(/^crw-------\s+1 root\s+root\s+5,\s+1 /);
  });

  it('gives the same bytes for the same entries', async () => {
    await writeGzippedCpio(join(dir, 'c1.gz'), entries);
    await writeGzippedCpio(join(dir, 'c2.gz'), [...entries].reverse());
    expect(readFileSync(join(dir, 'c1.gz')).equals(readFileSync(join(dir, 'c2.gz')))).toBe(true);
  });
});
