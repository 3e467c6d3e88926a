// Real QEMU: a kvm-el2 machine booted on the image's kernel receives Debian's rt kernel by kexec, proves it runs it,
// and brings up ADSP, CDSP and Iris on it. A corrupted Image is refused by the target before anything is loaded.
import { copyFile, mkdir, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraError } from '../../harness/core/errors.ts';
import type { DeployResult } from '../../harness/deploy/deploy.ts';
import { KexecDeployer } from '../../harness/deploy/kexec.ts';
import { resolveKernelInput, type KernelUnderTest } from '../../harness/kernel/input.ts';
import { DEPLOY_REMOTE_DIR } from '../../harness/deploy/remote-initrd.ts';
import { buildImages } from '../../harness/images/build.ts';
import type { ImageSet } from '../../harness/images/image-set.ts';
import type { RunningMachine } from '../../harness/machine/machine.ts';
import { PROFILES } from '../../harness/model/profile.ts';
import { QemuMachine } from '../../harness/machine/qemu-machine.ts';
import { expectSocUpOnPushedKernel } from './support/soc-on-pushed-kernel.ts';
import { rejectionOf } from '../fakes/rejection.ts';

let workDir: string;
let images: ImageSet;
let rt: KernelUnderTest;
const controller = new AbortController();

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pilot-kexec-'));
  images = await buildImages();
  rt = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
}, 600_000);

afterAll(async () => {
  // PILOT_KEEP_ARTIFACTS=1 keeps the serial log, dmesg of both boots and the initrd for a look after a failure.
  if (workDir && !process.env.PILOT_KEEP_ARTIFACTS) await rm(workDir, { recursive: true, force: true });
  else if (workDir) console.log(`artifacts kept in ${workDir}`);
});

it('refuses xen-el1 before anything is pushed', () => {
  const deployer = new KexecDeployer({ baseInitramfs: '/nonexistent' });
  expect(deployer.refusal(PROFILES['xen-el1'])).toMatch(/no kexec/);
  expect(deployer.refusal(PROFILES['kvm-el2'])).toBeUndefined();
  expect(deployer.refusal(PROFILES.el1)).toBeUndefined();
});

describe.each([
  { profile: 'kvm-el2' as const, overlays: ['el2'], el: 2 },
  { profile: 'el1' as const, overlays: [], el: 1 },
])('kexec deploy on $profile', { timeout: 600_000 }, ({ profile, overlays, el }) => {
  let running: RunningMachine;
  let deployed: DeployResult | undefined;

  beforeAll(async () => {
    const machine = new QemuMachine({ profile: PROFILES[profile], images, overlays });
    await mkdir(join(workDir, profile, 'machine'), { recursive: true });
    running = await machine.start({ artifactsDir: join(workDir, profile, 'machine'), signal: controller.signal, deadline: Date.now() + 300_000 });
  }, 320_000);

  afterAll(async () => {
    await running?.stop();
  });

  it.runIf(profile === 'kvm-el2')('refuses an Image changed since it was resolved (E_PUSH_CORRUPT) and never loads it', async () => {
    const corrupted = join(workDir, 'Image-corrupted');
    await copyFile(rt.imagePath, corrupted);
    const file = await open(corrupted, 'r+');
    await file.write(Buffer.from([0xff ^ 0x5a]), 0, 1, 4096);
    await file.close();
    const bootBefore = running.bootId;
    const error = await rejectionOf(
      new KexecDeployer({ baseInitramfs: images.initramfsPath }).deploy(running, { ...rt, imagePath: corrupted }, {
        workDir: join(workDir, profile, 'corrupt'),
        signal: controller.signal,
        deadline: Date.now() + 300_000,
      }),
      InfraError,
    );
    expect(error.code, error.message).toBe('E_PUSH_CORRUPT');
    expect(error.message).toContain(rt.imageSha256);
    const state = await running.guest.exec(`cat /proc/sys/kernel/random/boot_id; uname -r; cat /sys/kernel/kexec_loaded; ls ${DEPLOY_REMOTE_DIR} 2>/dev/null | grep -c '^Image' || true`);
    const [bootId, release, kexecLoaded, imagesLeft] = state.stdout.trim().split('\n');
    expect(bootId).toBe(bootBefore);
    expect(release).not.toBe(rt.release);
    expect(kexecLoaded).toBe('0');
    expect(imagesLeft).toBe('0');
  });

  it('kexecs into linux-image-rt-arm64 and proves it is the one running', async () => {
    expect(running.release).not.toBe(rt.release);
    const phases: string[] = [];
    deployed = await new KexecDeployer({ baseInitramfs: images.initramfsPath }).deploy(running, rt, {
      workDir: join(workDir, profile, 'deploy'),
      signal: controller.signal,
      deadline: Date.now() + 400_000,
      onPhase: (phase) => phases.push(phase),
    });
    const t = deployed.timings;
    const mb = deployed.pushes.reduce((sum, push) => sum + push.bytes, 0) / 1e6;
    const initrd = deployed.initrd!;
    console.log(
      `${profile}: kexec deploy of ${rt.release}: prepare ${(t.prepareMs / 1000).toFixed(1)} s, push ${mb.toFixed(1)} MB ${(t.pushMs / 1000).toFixed(1)} s ` +
        `(initrd assembled on the target in ${(initrd.assembleMs / 1000).toFixed(1)} s, ${(initrd.bytes / 1e6).toFixed(1)} MB), ` +
        `kexec -l ${(t.loadMs / 1000).toFixed(1)} s, jump to SSH ${(t.rebootMs / 1000).toFixed(1)} s, proof ${(t.proofMs / 1000).toFixed(1)} s, total ${(t.totalMs / 1000).toFixed(1)} s`,
    );
    // The SoC's remotes run on the base kernel: the deploy stops them before the jump, and says so.
    expect(phases).toEqual(['prepare', 'push', 'kexec-load', 'stopped adsp, cdsp', 'kexec', 'proof']);
    // The gzip'd Image (kexec inflates it), the base initramfs, then the host's modules archive, each checked by sha256 on the target.
    expect(deployed.pushes.map((push) => push.remotePath)).toEqual([
      `${DEPLOY_REMOTE_DIR}/Image-${rt.release}.gz`,
      `${DEPLOY_REMOTE_DIR}/base-initramfs.cpio.gz`,
      `${DEPLOY_REMOTE_DIR}/modules.cpio.gz`,
    ]);
    expect(deployed.pushes[0]!.bytes).toBeLessThan((await stat(rt.imagePath)).size / 2);
    expect('remotePath' in initrd && initrd.remotePath).toBe(`${DEPLOY_REMOTE_DIR}/initrd-${rt.release}.cpio.gz`);
    expect(initrd.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(initrd.bytes).toBeGreaterThan((await stat(images.initramfsPath)).size);
    expect(deployed.proof.release).toBe(rt.release);
    expect(deployed.proof.bootId).not.toBe(deployed.previousBootId);
    expect(deployed.proof.procVersion).toBe(rt.versionString);
    if (rt.buildId) expect(deployed.proof.buildId).toBe(rt.buildId);
    expect(running.release).toBe(rt.release);
    expect(running.bootId).toBe(deployed.proof.bootId);
    expect(deployed.proof.profileCheck.join('\n')).toContain(`started at EL${el}`);
    // The guest the machine hands out now is the new kernel's.
    const uname = await running.guest.exec('uname -r');
    expect(uname.stdout.trim()).toBe(rt.release);
    // The new root came from the initrd the target assembled: it holds the load list the host staged for this release.
    const loadList = `lib/modules/${rt.release}/pilot-modules.load`;
    const onTarget = await running.guest.exec(`cat /${loadList}`);
    expect(onTarget.stdout).toBe(await readFile(join(workDir, profile, 'deploy', `initrd-root-${rt.release}`, loadList), 'utf8'));
    expect(onTarget.stdout).toContain('virtio_net');
  });

  it("brings up ADSP, CDSP and Iris on the kexec'd kernel", async () => {
    expect(deployed, 'the deploy above must have passed').toBeDefined();
    await expectSocUpOnPushedKernel(running, rt.release, { artifactsDir: workDir, signal: controller.signal, withIris: true });
  });
});
