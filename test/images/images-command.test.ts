import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatPieceTable, formatProgressLine, imagesCommand } from '../../harness/cli/commands/images.ts';
import { defaultCacheDir } from '../../harness/images/cache-dir.ts';
import { parseGuestErrorLine, parseReadyLine } from '../../harness/images/guest-contract.ts';

function io() {
  const out = new PassThrough();
  const err = new PassThrough();
  const text = { out: '', err: '' };
  out.on('data', (c: Buffer) => (text.out += c.toString()));
  err.on('data', (c: Buffer) => (text.err += c.toString()));
  return { streams: { out, err }, text };
}

describe('pilot images', () => {
  it('prints the cache folder, honouring --cache-dir', async () => {
    const a = io();
    expect(await imagesCommand(['path', '--cache-dir', '/tmp/x-cache'], a.streams)).toBe(0);
    expect(a.text.out).toBe('/tmp/x-cache\n');
  });

  it('rejects unknown subcommands and flags with exit 2 and the usage', async () => {
    const a = io();
    expect(await imagesCommand(['bake'], a.streams)).toBe(2);
    expect(a.text.err).toContain("unknown command 'bake'");
    const b = io();
    expect(await imagesCommand(['build', '--frobnicate'], b.streams)).toBe(2);
    expect(b.text.err).toContain('usage: pilot images');
  });

  it('formats progress with elapsed time and a table of pieces', () => {
    expect(formatProgressLine({ piece: 'kernel', phase: 'download', detail: 'linux-image 1 (60 MB)', elapsedMs: 2345 })).toBe(
      '[   2.3s] kernel         download linux-image 1 (60 MB)',
    );
    const table = formatPieceTable([
      { piece: 'kernel', key: 'a'.repeat(64), path: '/c/kernel', built: true },
      { piece: 'initramfs', key: 'b'.repeat(64), path: '/c/initramfs.cpio.gz', built: false },
    ]);
    expect(table.split('\n')[1]).toBe(`kernel     built   ${'a'.repeat(16)}  /c/kernel`);
    expect(table.split('\n')[2]).toBe(`initramfs  cached  ${'b'.repeat(16)}  /c/initramfs.cpio.gz`);
  });
});

describe('pilot images build', () => {
  const tableRows = (out: string) => out.split('\n').filter((line) => /^\S+\s+(built|cached)\s+[0-9a-f]{16}\s/.test(line)).map((line) => line.split(/\s+/)[0]);

  it('lists the simulated and the real SoC pieces in its table, and leaves them out with --no-soc and --no-real-soc', async () => {
    const real = ['real-soc-kernel', 'real-soc-kernel-headers', 'el3-firmware', 'real-soc-initramfs', 'xen-sip'];
    const withSoc = io();
    expect(await imagesCommand(['build'], withSoc.streams)).toBe(0);
    expect(tableRows(withSoc.text.out)).toEqual(['kernel', 'kernel-headers', 'xen', 'userland', 'soc-module', 'soc-firmware', 'initramfs', ...real]);
    expect(withSoc.text.out).toMatch(/soc-module\s+\S+\s+\S+\s+\S+\/qcom_pas_sim\.ko$/m);
    expect(withSoc.text.out).toMatch(/^el3-firmware\s+\S+\s+\S+\s+\S+\/el3\.bin$/m);
    const without = io();
    expect(await imagesCommand(['build', '--no-soc', '--no-real-soc'], without.streams)).toBe(0);
    expect(tableRows(without.text.out)).toEqual(['kernel', 'kernel-headers', 'xen', 'userland', 'initramfs']);
  }, 600_000);
});

describe('defaultCacheDir', () => {
  it('prefers PILOT_CACHE, then XDG_CACHE_HOME/pilot, then ~/.cache/pilot', () => {
    expect(defaultCacheDir({ PILOT_CACHE: '/p', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/p');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/pilot');
    expect(defaultCacheDir({ HOME: '/h' })).toBe('/h/.cache/pilot');
  });
});

describe('guest contract', () => {
  it('parses the readiness line even behind a console prefix', () => {
    expect(parseReadyLine('(d0) pilot-guest-ready boot_id=60536bbb-ca16-4aca-9c8d-d0df75cf92cb release=6.1.0-56-arm64\r')).toEqual({
      bootId: '60536bbb-ca16-4aca-9c8d-d0df75cf92cb',
      release: '6.1.0-56-arm64',
    });
    expect(parseReadyLine('pilot-guest-ready boot_id= release=')).toBeUndefined();
    expect(parseGuestErrorLine('pilot-guest-error: insmod virtio_net.ko')).toBe('insmod virtio_net.ko');
    expect(parseGuestErrorLine('all fine')).toBeUndefined();
  });
});
