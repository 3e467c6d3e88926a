// Real kernel build trees from Debian's linux-source-6.1 (images/kernel-trees/sim-6.1), built by `pilot kernel-tree`:
// pushed, kexec'd, proven and passing soc-bringup on kvm-el2 without CONFIG_XEN, and a compare against the tree with
// one line removed from rproc_crash_handler_work() reporting REGRESSED with the two sides named apart.
// They run when the trees are cached, or build them with PILOT_BUILD_KERNELS=1; otherwise they are skipped with the
// command that builds them.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelTreeOnDemand } from '../../harness/images/kernel-tree/on-demand.ts';
import { readCompareJson } from '../../harness/report/compare/json.ts';
import { artifactsBase, latestResults, startPilot } from './support/pilot-cli.ts';

/** A cold build is 20–40 min on 2 cores; a cached tree answers at once. */
const BUILD_MS = 2 * 60 * 60_000;

describe('kernel trees built from Debian\'s linux-source-6.1', { timeout: BUILD_MS + 900_000 }, () => {
  it('pushes the sim-6.1 tree by kexec on kvm-el2 (no CONFIG_XEN), proves it and passes soc-bringup', async (context) => {
    const found = await kernelTreeOnDemand('sim-6.1');
    if (!found.tree) return context.skip(found.missing);
    const tree = found.tree;
    const config = await readFile(join(tree.path, '.config'), 'utf8');
    expect(config).not.toMatch(/^CONFIG_XEN=y/m);
    const base = await artifactsBase();
    try {
      const result = await startPilot(['run', 'scenarios/soc-bringup.yaml', '-p', 'kvm-el2', '--kernel', tree.path, '--artifacts', base]);
      expect(result.exitCode, result.all).toBe(0);
      const [run] = (await latestResults(base)).runs;
      expect(run!.status).toBe('pass');
      expect(run!.kernelRelease).toBe(tree.manifest.release);
      expect(run!.deploy).toMatchObject({ method: 'kexec', release: tree.manifest.release });
      expect(run!.deploy!.kernel).toContain(tree.path);
      const log = await readFile(join(run!.artifactsDir, 'dmesg-boot2.log'), 'utf8');
      expect(log).toContain(`Linux version ${tree.manifest.release}`);
      expect(log).toMatch(/remote processor adsp is now up/);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('compares sim-6.1 against sim-6.1:crash-regression: soc-crash-recovery REGRESSED, the two trees named apart', async (context) => {
    const [baseline, patched] = await Promise.all([kernelTreeOnDemand('sim-6.1'), kernelTreeOnDemand('sim-6.1:crash-regression')]);
    if (!baseline.tree) return context.skip(baseline.missing);
    if (!patched.tree) return context.skip(patched.missing);
    const base = await artifactsBase();
    try {
      const jsonFile = join(base, 'compare.json');
      const result = await startPilot(['compare', '--baseline', baseline.tree.path, '--patched', patched.tree.path, 'scenarios/soc-crash-recovery.yaml', '-p', 'kvm-el2', '--artifacts', base, '--json', jsonFile]);
      expect(result.exitCode, result.all).toBe(1);
      expect(result.all).toMatch(/REGRESSED \(1\)/);
      expect(result.all).toContain('soc-crash-recovery@kvm-el2');
      const comparison = await readCompareJson(jsonFile);
      expect(comparison.runs.map((run) => `${run.id} ${run.verdict}`)).toEqual(['soc-crash-recovery@kvm-el2 regressed']);
      // One release on both sides: the trees' paths and build-ids tell them apart, in the console and in compare.json.
      expect(baseline.tree.manifest.release).toBe(patched.tree.manifest.release);
      expect(comparison.baseline.kernels).toEqual([expect.stringContaining(baseline.tree.path)]);
      expect(comparison.patched.kernels).toEqual([expect.stringContaining(patched.tree.path)]);
      expect(comparison.baseline.kernels[0]).not.toBe(comparison.patched.kernels[0]);
      expect(result.all).toContain(baseline.tree.path);
      expect(result.all).toContain(patched.tree.path);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});

