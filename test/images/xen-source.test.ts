// Xen from Debian's source with pilot's SiP-forwarding patch: the deb-src answers read, and the cache key's patch inputs.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEBIAN_SOURCE_LINE, parseShowSrcVersions } from '../../harness/images/apt-source.ts';
import { XEN_PATCH_DIR, xenPatchInputs } from '../../harness/images/xen-source.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('apt source packages', () => {
  it('reads the versions apt-cache showsrc lists, candidate first', () => {
    const text = 'Package: xen\nBinary: xen-doc, xen-utils-common\nVersion: 4.17.5+72-g01140da4e8-1\nMaintainer: Debian Xen Team\n\nPackage: xen\nVersion: 4.17.3+10-g091466ba55-1~deb12u1\n';
    expect(parseShowSrcVersions(text)).toEqual(['4.17.5+72-g01140da4e8-1', '4.17.3+10-g091466ba55-1~deb12u1']);
    expect(parseShowSrcVersions('')).toEqual([]);
  });

  it('lists only the main suite, whose source files the mirror serves', () => {
    expect(DEBIAN_SOURCE_LINE).toMatch(/^deb-src \[signed-by=\S+\] http:\/\/deb\.debian\.org\/debian bookworm main$/);
  });
});

describe('the SiP-forwarding patch', () => {
  it('adds a platform that forwards SiP calls of the hardware domain only, behind its own Kconfig option that the config turns on', async () => {
    const inputs = await xenPatchInputs();
    expect(inputs.patches).toEqual(['0001-arm-qemu-virt-forward-sip-calls.patch']);
    expect(inputs.config).toMatch(/^CONFIG_QEMU_VIRT_SIP_FORWARD=y$/m);
    const patch = await readFile(join(XEN_PATCH_DIR, inputs.patches[0]!), 'utf8');
    expect(patch).toContain('+config QEMU_VIRT_SIP_FORWARD');
    expect(patch).toContain('+obj-$(CONFIG_QEMU_VIRT_SIP_FORWARD) += qemu-virt-sip.o');
    expect(patch).toContain('+    "linux,dummy-virt",');
    expect(patch).toContain('!is_hardware_domain(current->domain)');
    expect(patch).toMatch(/\+\s+set_user_reg\(regs, 3, res\.a3\);/);
  });

  it('changes the cache key with the patch and with the config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pilot-xen-patch-'));
    dirs.push(dir);
    await cp(XEN_PATCH_DIR, dir, { recursive: true });
    const first = (await xenPatchInputs(dir)).digest;
    const patch = join(dir, '0001-arm-qemu-virt-forward-sip-calls.patch');
    await writeFile(patch, `${await readFile(patch, 'utf8')}\n`);
    const second = (await xenPatchInputs(dir)).digest;
    await writeFile(join(dir, 'config'), 'CONFIG_QEMU_VIRT_SIP_FORWARD=y\nCONFIG_DEBUG=y\n');
    const third = (await xenPatchInputs(dir)).digest;
    expect(new Set([first, second, third]).size).toBe(3);
    expect((await xenPatchInputs()).digest).toBe(first);
  });
});
