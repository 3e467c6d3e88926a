// Real QEMU through Debian's U-Boot: a machine booted from a virtio boot disk receives Debian's rt kernel by reboot, on
// xen-el1 (dom0 replaced under Xen) and kvm-el2, proves it runs it and brings up ADSP, CDSP and Iris on it. A pushed
// command line that makes the new kernel panic is reported as a kernel panic within seconds, with the console as evidence.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssertionFailure, InfraError } from '../../harness/core/errors.ts';
import type { DeployResult } from '../../harness/deploy/deploy.ts';
import { resolveKernelInput, type KernelUnderTest } from '../../harness/kernel/input.ts';
import { BOOT_MOUNT_POINT, RebootDeployer } from '../../harness/deploy/reboot.ts';
import { BOOT_FILES, BOOT_PARTITION_LABEL } from '../../harness/machine/boot-disk.ts';
import { buildImages } from '../../harness/images/build.ts';
import type { ImageSet } from '../../harness/images/image-set.ts';
import type { RunningMachine } from '../../harness/machine/machine.ts';
import { PROFILES } from '../../harness/model/profile.ts';
import { QemuMachine } from '../../harness/machine/qemu-machine.ts';
import { liveQemuPids } from '../../harness/machine/qemu-process.ts';
import { expectSocUpOnPushedKernel } from './support/soc-on-pushed-kernel.ts';
import { rejectionOf } from '../fakes/rejection.ts';

let workDir: string;
let images: ImageSet;
let rt: KernelUnderTest;
const controller = new AbortController();

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pilot-reboot-'));
  images = await buildImages();
  rt = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
}, 600_000);

afterAll(async () => {
  // PILOT_KEEP_ARTIFACTS=1 keeps the serial log (both boots), the boot disk and the initrd for a look after a failure.
  if (workDir && !process.env.PILOT_KEEP_ARTIFACTS) await rm(workDir, { recursive: true, force: true });
  else if (workDir) console.log(`artifacts kept in ${workDir}`);
});

async function startMachine(profile: keyof typeof PROFILES, overlays: string[], name: string): Promise<RunningMachine> {
  const dir = join(workDir, name, 'machine');
  await mkdir(dir, { recursive: true });
  const machine = new QemuMachine({ profile: PROFILES[profile], images, overlays, bootloader: 'u-boot' });
  return machine.start({ artifactsDir: dir, signal: controller.signal, deadline: Date.now() + 300_000 });
}

it('refuses a machine that was not booted through U-Boot, before anything is pushed', async () => {
  const direct = new RebootDeployer({ baseInitramfs: '/nonexistent', bootloader: undefined });
  expect(direct.refusal(PROFILES['kvm-el2'])).toMatch(/U-Boot/);
  expect(direct.refusal(PROFILES['xen-el1'])).toMatch(/U-Boot/);
  const uboot = new RebootDeployer({ baseInitramfs: '/nonexistent', bootloader: 'u-boot' });
  for (const profile of Object.values(PROFILES)) expect(uboot.refusal(profile)).toBeUndefined();
  // The deployer was told U-Boot, but this machine says otherwise: deploy() still refuses, and touches nothing.
  const notThroughUboot = { profile: PROFILES['kvm-el2'], bootloader: undefined } as unknown as RunningMachine;
  const error = await rejectionOf(uboot.deploy(notThroughUboot, rt, { workDir, signal: controller.signal, deadline: Date.now() + 10_000 }), InfraError);
  expect(error.code).toBe('E_DEPLOY_UNSUPPORTED');
  expect(error.message).toMatch(/not booted through U-Boot/);
});

describe.each([
  { profile: 'xen-el1' as const, overlays: [], el: 1 },
  { profile: 'kvm-el2' as const, overlays: ['el2'], el: 2 },
])('reboot deploy on $profile', { timeout: 600_000 }, ({ profile, overlays, el }) => {
  let running: RunningMachine;
  let deployed: DeployResult | undefined;

  beforeAll(async () => {
    running = await startMachine(profile, overlays, profile);
  }, 320_000);

  afterAll(async () => {
    await running?.stop();
  });

  it('reboots into linux-image-rt-arm64 from the boot disk and proves it is the one running', async () => {
    expect(running.bootloader).toBe('u-boot');
    expect(running.release).not.toBe(rt.release);
    const phases: string[] = [];
    deployed = await new RebootDeployer({ baseInitramfs: images.initramfsPath, bootloader: 'u-boot' })
      .deploy(running, rt, {
        workDir: join(workDir, profile, 'deploy'),
        signal: controller.signal,
        deadline: Date.now() + 400_000,
        onPhase: (phase) => phases.push(phase),
      })
      .catch(async (error: unknown) => {
        // A rare xen-el1 panic of the pushed kernel was seen once under load: keep its console in the CI log.
        const serial = await readFile(join(workDir, profile, 'machine', 'serial.log'), 'utf8').catch(() => '(no serial.log)');
        console.error(`${profile}: the reboot deploy failed; the last 80 lines of serial.log:\n${serial.split('\n').slice(-80).join('\n')}`);
        throw error;
      });
    const t = deployed.timings;
    const mb = deployed.pushes.reduce((sum, push) => sum + push.bytes, 0) / 1e6;
    const initrd = deployed.initrd!;
    console.log(
      `${profile}: reboot deploy of ${rt.release}: prepare ${(t.prepareMs / 1000).toFixed(1)} s, push ${mb.toFixed(1)} MB ${(t.pushMs / 1000).toFixed(1)} s ` +
        `(initrd assembled on the target in ${(initrd.assembleMs / 1000).toFixed(1)} s, ${(initrd.bytes / 1e6).toFixed(1)} MB), ` +
        `write+sync ${(t.loadMs / 1000).toFixed(1)} s, reboot to SSH ${(t.rebootMs / 1000).toFixed(1)} s, proof ${(t.proofMs / 1000).toFixed(1)} s, total ${(t.totalMs / 1000).toFixed(1)} s`,
    );
    expect(phases).toEqual(['prepare', 'push', 'write-boot-disk', 'reboot', 'proof']);
    expect(deployed.method).toBe('reboot');
    expect(deployed.proof.release).toBe(rt.release);
    expect(deployed.proof.release).toMatch(/^6\.1\.0-\d+-rt-arm64$/);
    expect(deployed.proof.bootId).not.toBe(deployed.previousBootId);
    expect(deployed.proof.procVersion).toBe(rt.versionString);
    if (rt.buildId) expect(deployed.proof.buildId).toBe(rt.buildId);
    expect(running.release).toBe(rt.release);
    expect(running.bootId).toBe(deployed.proof.bootId);
    expect(deployed.proof.profileCheck.join('\n')).toContain(`started at EL${el}`);
    const state = await running.guest.exec('uname -r; cat /sys/hypervisor/type 2>/dev/null || echo none');
    const [release, hypervisor] = state.stdout.trim().split('\n');
    expect(release).toBe(rt.release);
    expect(hypervisor).toBe(profile === 'xen-el1' ? 'xen' : 'none');
    // The boot partition holds the very initrd the target assembled and hashed, and it carried this release's modules.
    expect(deployed.pushes.map((push) => push.remotePath)).toContain('/tmp/pilot-deploy/modules.cpio.gz');
    const onDisk = await running.guest.exec(
      `mkdir -p ${BOOT_MOUNT_POINT} && mount -t vfat "$(findfs LABEL=${BOOT_PARTITION_LABEL})" ${BOOT_MOUNT_POINT} && sha256sum ${BOOT_MOUNT_POINT}/${BOOT_FILES.initramfs}; umount ${BOOT_MOUNT_POINT}; cat /lib/modules/${rt.release}/pilot-modules.load`,
      { timeoutMs: 30_000 },
    );
    expect(onDisk.stdout.split(/\s+/)[0], onDisk.stderr).toBe(initrd.sha256);
    expect(onDisk.stdout).toContain('virtio_net');
  });

  it('brings up ADSP, CDSP and Iris on the rebooted kernel', async () => {
    expect(deployed, 'the deploy above must have passed').toBeDefined();
    await expectSocUpOnPushedKernel(running, rt.release, { artifactsDir: workDir, signal: controller.signal, withIris: true });
  });

  it.runIf(profile === 'kvm-el2')('turns a panic after the deploy into the machine dying with F_KERNEL_PANIC, not a silent reboot into the disk', async () => {
    expect(deployed, 'the deploy above must have passed').toBeDefined();
    const guest = running.guest;
    void guest.exec('echo c > /proc/sysrq-trigger', { timeoutMs: 10_000 }).catch(() => undefined);
    const started = Date.now();
    const error = await rejectionOf(running.died, AssertionFailure);
    expect(error.code, error.message).toBe('F_KERNEL_PANIC');
    expect(error.evidence.join('\n')).toContain('sysrq: Trigger a crash');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

it("reports U-Boot's own failure to start a kernel at once, quoting U-Boot, and stops QEMU", { timeout: 120_000 }, async () => {
  const zeros = join(workDir, 'Image-zeros');
  await writeFile(zeros, Buffer.alloc(4096));
  const dir = join(workDir, 'bad-image');
  await mkdir(dir, { recursive: true });
  const broken = new QemuMachine({ profile: PROFILES.el1, images: { ...images, kernel: { ...images.kernel, imagePath: zeros } }, bootloader: 'u-boot' });
  const started = Date.now();
  const error = await rejectionOf(broken.start({ artifactsDir: dir, signal: controller.signal, deadline: Date.now() + 100_000 }), InfraError);
  expect(error.code, error.message).toBe('E_UBOOT_BOOT_FAILED');
  expect(error.message).toContain('Bad Linux ARM64 Image magic!');
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(liveQemuPids()).toEqual([]);
});

describe('a pushed kernel that panics on el1', { timeout: 400_000 }, () => {
  let running: RunningMachine;

  beforeAll(async () => {
    running = await startMachine('el1', [], 'panic');
  }, 320_000);

  afterAll(async () => {
    await running?.stop();
  });

  it('is reported as F_KERNEL_PANIC with the console as evidence, and QEMU is stopped instead of looping', async () => {
    const phases: Array<{ phase: string; at: number }> = [];
    const deployer = new RebootDeployer({
      baseInitramfs: images.initramfsPath,
      bootloader: 'u-boot',
      // Neither exists: the kernel finds no init and panics ("VFS: Unable to mount root fs"), then panic=-1 resets into U-Boot.
      commandLine: (current) => `${current} rdinit=/nonexistent init=/nonexistent`,
    });
    const error = await rejectionOf(
      deployer.deploy(running, rt, {
        workDir: join(workDir, 'panic', 'deploy'),
        signal: controller.signal,
        deadline: Date.now() + 300_000,
        onPhase: (phase) => phases.push({ phase, at: Date.now() }),
      }),
      AssertionFailure,
    );
    const rebootStarted = phases.find((entry) => entry.phase === 'reboot')!.at;
    const failedAfterMs = Date.now() - rebootStarted;
    console.log(`el1: the panicking kernel was reported ${(failedAfterMs / 1000).toFixed(1)} s after the reboot started: ${error.code} ${error.message}`);
    expect(error.code, error.message).toBe('F_KERNEL_PANIC');
    expect(error.evidence.join('\n')).toMatch(/Kernel panic - not syncing/);
    expect(error.evidence.join('\n')).toContain(rt.release);
    // Booting the rt kernel to its panic takes seconds; a timeout would be the 300 s deadline.
    expect(failedAfterMs).toBeLessThan(90_000);
    const stopped = await rejectionOf(running.died, InfraError);
    expect(stopped.code).toBe('E_QEMU_STOPPED');
    expect(liveQemuPids()).toEqual([]);
  });
});
