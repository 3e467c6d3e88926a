// The direct boot's initrd, assembled on the host for Debian's rt kernel: the base initramfs byte for byte, then one cpio
// of the modules /init loads on that release (in its order) and the SoC module built for it; the same archive a push
// sends, so the target's concatenation of the same pieces is the same initrd.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraError } from '../../harness/core/errors.ts';
import { DirectDeployer } from '../../harness/deploy/direct.ts';
import { assembleInitrdOnHost } from '../../harness/deploy/host-initrd.ts';
import { concatenatedSha256 } from '../../harness/deploy/modules-archive.ts';
import { buildImages } from '../../harness/images/build.ts';
import { readCpio } from '../../harness/images/cpio.ts';
import type { ImageSet } from '../../harness/images/image-set.ts';
import { MODULE_LOAD_LIST } from '../../harness/images/initramfs.ts';
import { SIM_MODULE_GUEST_PATH } from '../../harness/images/soc.ts';
import { resolveKernelInput, type KernelUnderTest } from '../../harness/kernel/input.ts';
import type { RunningMachine } from '../../harness/machine/machine.ts';
import { PROFILES } from '../../harness/model/profile.ts';
import { rejectionOf } from '../fakes/rejection.ts';

let dir: string;
let images: ImageSet;
let rt: KernelUnderTest;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pilot-host-initrd-'));
  images = await buildImages();
  rt = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
}, 600_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('assembleInitrdOnHost', { timeout: 120_000 }, () => {
  it("puts the base first, byte for byte, then the rt kernel's modules in /init's order and the SoC module built for it", async () => {
    // A cache of its own, so the initrd is really written here.
    const initrd = await assembleInitrdOnHost(rt, { baseInitramfs: images.initramfsPath, cacheDir: join(dir, 'cache') });
    expect(initrd.path.startsWith(join(dir, 'cache'))).toBe(true);
    const written = await readFile(initrd.path);
    const base = await readFile(images.initramfsPath);
    expect(initrd.bytes).toBe(written.length);
    expect(initrd.sha256).toBe(createHash('sha256').update(written).digest('hex'));
    expect(initrd.base.bytes).toBe(base.length);
    expect(written.subarray(0, base.length).equals(base)).toBe(true);
    // What follows is the modules archive, whole: the piece a push sends and the target appends to the same base.
    expect(written.subarray(base.length).equals(await readFile(initrd.modules.path))).toBe(true);
    expect(initrd.sha256).toBe(await concatenatedSha256([images.initramfsPath, initrd.modules.path]));

    const members = new Map(readCpio(written.subarray(base.length)).map((member) => [member.path, member]));
    const prefix = `lib/modules/${rt.release}`;
    const loadList = members.get(`${prefix}/${MODULE_LOAD_LIST}`)!.data.toString().split('\n').filter(Boolean);
    expect(loadList).toEqual(initrd.loadOrder);
    // The network comes up before SSH: virtio_net and its dependencies are in the list, dependencies first.
    const net = loadList.findIndex((path) => path.endsWith('/virtio_net.ko'));
    expect(net).toBeGreaterThan(loadList.findIndex((path) => path.endsWith('/net_failover.ko')));
    for (const path of loadList) expect(members.get(`${prefix}/${path}`)?.data.subarray(0, 4).toString('latin1'), path).toBe('\x7fELF');
    expect(members.get(`${prefix}/${SIM_MODULE_GUEST_PATH}`)!.data.equals(await readFile(rt.simModulePath))).toBe(true);
    expect(members.has(`${prefix}/modules.dep`)).toBe(true);
    // Nothing of the base kernel's release: /init on the rt kernel must find only its own modules.
    expect([...members.keys()].every((path) => path === 'lib/modules' || path.startsWith(prefix))).toBe(true);

    // The next boot of the same kernel on the same base takes it from the cache; another module list makes another.
    const again = await assembleInitrdOnHost(rt, { baseInitramfs: images.initramfsPath, cacheDir: join(dir, 'cache') });
    expect(again).toMatchObject({ path: initrd.path, sha256: initrd.sha256 });
    const other = await assembleInitrdOnHost(rt, { baseInitramfs: images.initramfsPath, cacheDir: join(dir, 'cache'), extraModules: ['dm_mod'] });
    expect(other.path).not.toBe(initrd.path);
    expect(other.loadOrder.some((path) => path.endsWith('/dm-mod.ko'))).toBe(true);
  });

  it('refuses a kernel whose Image changed since it was resolved, before any machine starts', async () => {
    const error = await rejectionOf(
      new DirectDeployer({ baseInitramfs: images.initramfsPath }).prepareBoot({ ...rt, imageSha256: '0'.repeat(64) }, { workDir: join(dir, 'changed'), signal: new AbortController().signal }),
      InfraError,
    );
    expect(error.code).toBe('E_PUSH_CORRUPT');
    expect(error.message).toContain(rt.imagePath);
  });

  it('is refused only where its config says so (a board), and its deploy() needs the boot it proves', async () => {
    expect(new DirectDeployer({ baseInitramfs: images.initramfsPath }).refusal(PROFILES['xen-el1'])).toBeUndefined();
    expect(new DirectDeployer({ baseInitramfs: images.initramfsPath, impossible: 'board rb5 boots its own kernel' }).refusal(PROFILES.el1)).toBe('board rb5 boots its own kernel');
    const machine = { profile: PROFILES.el1 } as RunningMachine;
    const error = await rejectionOf(new DirectDeployer({ baseInitramfs: images.initramfsPath }).deploy(machine, rt, { workDir: dir, signal: new AbortController().signal, deadline: Date.now() + 1000 }), InfraError);
    expect(error.code).toBe('E_DEPLOY_UNSUPPORTED');
  });
});
