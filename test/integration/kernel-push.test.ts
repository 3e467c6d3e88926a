// `pilot run --kernel` and `pilot compare` through the CLI, on real machines: Debian's rt kernel is pushed after boot,
// proven, and the SoC scenario runs on it; wrong inputs and impossible deploys are refused before anything boots.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveKernelInput, type KernelUnderTest } from '../../harness/kernel/input.ts';
import { buildImages } from '../../harness/images/build.ts';
import type { ImageSet } from '../../harness/images/image-set.ts';
import { readCompareJson } from '../../harness/report/compare/json.ts';
import { artifactsBase, latestResults, startPilot } from './support/pilot-cli.ts';
import { readdir } from 'node:fs/promises';

let images: ImageSet;
let rt: KernelUnderTest;

beforeAll(async () => {
  images = await buildImages();
  rt = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
}, 600_000);

/** The compare run's folder: the single timestamped folder made under the base. */
async function compareRoot(base: string): Promise<string> {
  const entries = (await readdir(base, { withFileTypes: true })).filter((entry) => entry.isDirectory() && /^\d{8}-\d{6}/.test(entry.name));
  expect(entries.map((entry) => entry.name)).toHaveLength(1);
  return join(base, entries[0]!.name);
}

describe('pilot run --kernel', { timeout: 600_000 }, () => {
  it('pushes the rt kernel by kexec on kvm-el2 and by reboot under Xen, proves it, and runs the SoC bring-up on it', async () => {
    const base = await artifactsBase();
    const result = await startPilot(['run', 'scenarios/soc-bringup.yaml', '-p', 'kvm-el2,xen-el1', '--kernel', 'linux-image-rt-arm64', '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(0);
    const runs = Object.fromEntries((await latestResults(base)).runs.map((run) => [run.profile, run]));
    for (const [profile, method] of [['kvm-el2', 'kexec'], ['xen-el1', 'reboot']] as const) {
      const run = runs[profile]!;
      expect(run.status).toBe('pass');
      expect(run.kernelRelease).toBe(rt.release);
      expect(run.deploy).toMatchObject({ method, release: rt.release, previousRelease: images.kernel.release, imageSha256: rt.imageSha256, buildId: rt.buildId });
      expect(run.phases.map((phase) => phase.name)).toEqual(expect.arrayContaining(['push', 'deploy', 'proof']));
      // The steps read the pushed kernel's own log, and its remoteproc core brought both DSPs up.
      const log = await readFile(join(run.artifactsDir, 'dmesg-boot2.log'), 'utf8');
      expect(log).toContain(rt.versionString.slice(0, 40));
      expect(log).toMatch(/remote processor adsp is now up/);
      const deployRecord = JSON.parse(await readFile(join(run.artifactsDir, 'deploy', 'deploy.json'), 'utf8'));
      expect(deployRecord.proof.release).toBe(rt.release);
      expect(deployRecord.proof.bootId).not.toBe('');
      // The old kernel's last line made pilot flush QEMU's translations, through QEMU's own gdbstub.
      const handover = method === 'kexec' ? 'kexec_core: Starting new kernel' : 'reboot: Restarting system';
      expect(await readFile(join(run.artifactsDir, 'jit-flush.log'), 'utf8')).toContain(`${handover}': QEMU's translations flushed in`);
    }
    // Under Xen the new kernel is still dom0: the proof's self-check read the hypervisor node again.
    expect(JSON.parse(await readFile(join(runs['xen-el1']!.artifactsDir, 'deploy', 'deploy.json'), 'utf8')).proof.profileCheck.join('\n')).toMatch(/xen/i);
    // U-Boot read the pushed files from the disk the guest wrote: its banner appears again after the reboot.
    expect((await readFile(join(runs['xen-el1']!.artifactsDir, 'serial.log'), 'utf8')).match(/U-Boot 20\d\d/g)?.length).toBe(2);
    expect(result.all).toMatch(/push .* MB in /);
  });

  it('refuses kexec under xen-el1 before any machine starts', async () => {
    const base = await artifactsBase();
    const result = await startPilot(['run', 'scenarios/soc-bringup.yaml', '--kernel', 'linux-image-rt-arm64', '--deploy', 'kexec', '--artifacts', base]);
    expect(result.exitCode).toBe(2);
    expect(result.all).toMatch(/E_DEPLOY_REFUSED/);
    expect(result.all).toMatch(/soc-bringup@xen-el1: deploy kexec: kexec is impossible under xen-el1/);
    expect(result.all).not.toMatch(/qemu-start/);
    expect(await readdir(base)).toEqual([]);
  });

  it('refuses modules of another release, naming both, before any machine starts', async () => {
    const base = await artifactsBase();
    const result = await startPilot(['run', 'scenarios/soc-bringup.yaml', '-p', 'kvm-el2', '--kernel', rt.imagePath, '--modules', images.kernel.modulesRoot, '--artifacts', base]);
    expect(result.exitCode).toBe(2);
    expect(result.all).toMatch(/E_KERNEL_MODULES_RELEASE/);
    expect(result.all).toContain(rt.release);
    expect(result.all).toContain(images.kernel.release);
    expect(result.all).not.toMatch(/qemu-start/);
    expect(await readdir(base)).toEqual([]);
  });
});

describe('pilot compare', { timeout: 900_000 }, () => {
  it('reports the kvm-el2 bring-up of a kernel whose SoC module skips the carve-out mapping as the one regression', async () => {
    const base = await artifactsBase();
    const result = await startPilot([
      'compare', '--baseline', 'image', '--patched', 'linux-image-rt-arm64', '--patched-sim', 'skip-carveout-map',
      'scenarios/soc-bringup.yaml', '-p', 'kvm-el2,el1', '--artifacts', base,
    ]);
    expect(result.exitCode, result.all).toBe(1);
    const root = await compareRoot(base);
    const comparison = await readCompareJson(join(root, 'compare.json'));
    const verdicts = Object.fromEntries(comparison.runs.map((run) => [run.id, run.verdict]));
    expect(verdicts).toEqual({ 'soc-bringup@kvm-el2': 'regressed', 'soc-bringup@el1': 'unchanged' });
    const regressed = comparison.runs.find((run) => run.verdict === 'regressed')!;
    expect(regressed.patched?.kernelRelease).toBe(rt.release);
    expect(regressed.baseline?.kernelRelease).toBe(images.kernel.release);
    expect(regressed.patched?.failure?.code).toMatch(/^F_/);
    expect(result.all).toMatch(/REGRESSED \(1\)/);

    // JUnit: one testcase per scenario@profile, failing only where the patch regressed.
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await readFile(join(root, 'compare-junit.xml'), 'utf8'));
    const cases = [junit.testsuites.testsuite].flat().flatMap((suite: { testcase: unknown }) => [suite.testcase].flat()) as Array<{ name: string; classname: string; failure?: unknown }>;
    const failing = cases.filter((testcase) => testcase.failure !== undefined).map((testcase) => `${testcase.classname} ${testcase.name}`);
    expect(cases).toHaveLength(2);
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatch(/kvm-el2/);
  });

  it('reports the reverse as fixed, with exit 0', async () => {
    const base = await artifactsBase();
    const result = await startPilot([
      'compare', '--baseline', 'linux-image-rt-arm64', '--baseline-sim', 'skip-carveout-map', '--patched', 'image',
      'scenarios/soc-bringup.yaml', '-p', 'kvm-el2', '--artifacts', base,
    ]);
    expect(result.exitCode, result.all).toBe(0);
    const comparison = await readCompareJson(join(await compareRoot(base), 'compare.json'));
    expect(comparison.runs.map((run) => [run.id, run.verdict])).toEqual([['soc-bringup@kvm-el2', 'fixed']]);
    expect(result.all).toMatch(/FIXED \(1\)/);
  });
});
