// `pilot run --kernel … --deploy direct` through the CLI on real machines: QEMU boots Debian's rt kernel from the first
// second with an initrd the host assembled, the proof holds on that first boot, and the SoC scenario runs on it; on
// kvm-el2 by -kernel/-initrd and on xen-el1 as Xen's dom0 kernel and ramdisk.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildImages } from '../../harness/images/build.ts';
import type { ImageSet } from '../../harness/images/image-set.ts';
import { resolveKernelInput, type KernelUnderTest } from '../../harness/kernel/input.ts';
import { artifactsBase, latestResults, startPilot } from './support/pilot-cli.ts';

let images: ImageSet;
let rt: KernelUnderTest;

beforeAll(async () => {
  images = await buildImages();
  rt = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
}, 600_000);

describe('pilot run --deploy direct', { timeout: 900_000 }, () => {
  it('boots the rt kernel directly on kvm-el2 and xen-el1, proves it on the first boot, and runs the SoC bring-up on it', async () => {
    const base = await artifactsBase();
    const result = await startPilot(['run', 'scenarios/soc-bringup.yaml', '-p', 'kvm-el2,xen-el1', '--kernel', 'linux-image-rt-arm64', '--deploy', 'direct', '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(0);
    const runs = Object.fromEntries((await latestResults(base)).runs.map((run) => [run.profile, run]));
    for (const profile of ['kvm-el2', 'xen-el1'] as const) {
      const run = runs[profile]!;
      expect(run.status).toBe('pass');
      // The image's kernel never ran: the first boot was the rt kernel's.
      expect(run.bootedKernelRelease).toBe(rt.release);
      expect(run.kernelRelease).toBe(rt.release);
      expect(run.deploy).toMatchObject({ method: 'direct', release: rt.release, imageSha256: rt.imageSha256, buildId: rt.buildId, pushedBytes: 0 });
      expect(run.deploy!.previousRelease).toBeUndefined();
      expect(run.phases.map((phase) => phase.name)).toEqual(expect.arrayContaining(['prepare-kernel', 'qemu-start', 'proof', 'steps']));
      expect(run.phases.map((phase) => phase.name)).not.toContain('push');

      const record = JSON.parse(await readFile(join(run.artifactsDir, 'deploy', 'deploy.json'), 'utf8'));
      expect(record.method).toBe('direct');
      expect(record.previousBootId).toBeNull();
      expect(record.previousBootNote).toMatch(/no boot before it/);
      expect(record.proof).toMatchObject({ release: rt.release, procVersion: rt.versionString, buildId: rt.buildId });
      expect(record.timings.prepareMs).toBeGreaterThan(0);
      expect(record.timings.rebootMs).toBeGreaterThan(0);
      // The initrd's sha256 in the record is the file QEMU loaded, and the command line QEMU ran names that file.
      const initrd = await readFile(record.initrd.path);
      expect(createHash('sha256').update(initrd).digest('hex')).toBe(record.initrd.sha256);
      expect(run.deploy!.initrdSha256).toBe(record.initrd.sha256);
      const cmdline = await readFile(join(run.artifactsDir, 'qemu-cmdline.sh'), 'utf8');
      expect(cmdline).toContain(record.initrd.path);
      expect(cmdline).toContain(rt.imagePath);
      expect(cmdline).not.toContain(images.initramfsPath);

      // dmesg.log is the one boot's log: the rt banner, and its remoteproc core bringing both DSPs up.
      const log = await readFile(join(run.artifactsDir, 'dmesg.log'), 'utf8');
      expect(log).toContain(rt.versionString.slice(0, 60));
      expect(log).not.toContain(`Linux version ${images.kernel.release} `);
      expect(log).toMatch(/remote processor adsp is now up/);
      expect(await readFile(join(run.artifactsDir, 'self-check.txt'), 'utf8')).toBe(`${record.proof.profileCheck.join('\n')}\n`);
    }
    // Under Xen the kernel under test is dom0: the proof's self-check read the hypervisor, and Xen started it.
    const xen = runs['xen-el1']!;
    expect(await readFile(join(xen.artifactsDir, 'self-check.txt'), 'utf8')).toMatch(/xen/i);
    expect(await readFile(join(xen.artifactsDir, 'qemu-cmdline.sh'), 'utf8')).toMatch(/guest-loader,addr=0x[0-9a-f]+,kernel=[^ ]*rt-arm64/);
  });
});
