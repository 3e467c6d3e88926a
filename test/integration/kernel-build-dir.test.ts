// `pilot run --kernel <build dir>` through the CLI on a real machine: a stand-in build tree made of Debian's built rt
// kernel is modules_install'd, pushed by kexec, proven, and the SoC bring-up runs on it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveKernelInput, type KernelUnderTest } from '../../harness/kernel/input.ts';
import { buildImages } from '../../harness/images/build.ts';
import type { ImageSet } from '../../harness/images/image-set.ts';
import { makeBuildTreeFromDebian } from '../fixtures/kernel-input/debian-build-tree.ts';
import { artifactsBase, latestResults, startPilot } from './support/pilot-cli.ts';

let images: ImageSet;
let rt: KernelUnderTest;
let work: string;
let tree: string;

beforeAll(async () => {
  images = await buildImages();
  rt = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
  work = await mkdtemp(join(tmpdir(), 'pilot-it-build-dir-'));
  tree = join(work, 'linux');
  await makeBuildTreeFromDebian(rt, tree);
}, 600_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('pilot run --kernel <build dir>', { timeout: 900_000 }, () => {
  it('installs the tree\'s modules, pushes its Image by kexec on kvm-el2, proves it and runs the SoC bring-up on it', async () => {
    const base = await artifactsBase();
    try {
      const result = await startPilot(['run', 'scenarios/soc-bringup.yaml', '-p', 'kvm-el2', '--kernel', tree, '--artifacts', base]);
      expect(result.exitCode, result.all).toBe(0);
      const [run] = (await latestResults(base)).runs;
      expect(run!.status).toBe('pass');
      expect(run!.steps.length).toBeGreaterThan(0);
      expect(run!.steps.filter((step) => step.status !== 'pass').map((step) => `${step.index + 1} ${step.title}: ${step.status}`)).toEqual([]);
      expect(run!.kernelRelease).toBe(rt.release);
      expect(run!.deploy).toMatchObject({ method: 'kexec', release: rt.release, previousRelease: images.kernel.release, imageSha256: rt.imageSha256, buildId: rt.buildId });
      expect(run!.deploy!.kernel).toContain(tree);
      // The steps ran on the pushed kernel, and its remoteproc core brought the DSPs up with the module built against the tree.
      const log = await readFile(join(run!.artifactsDir, 'dmesg-boot2.log'), 'utf8');
      expect(log).toContain(rt.versionString.slice(0, 40));
      expect(log).toMatch(/remote processor adsp is now up/);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
