import { describe, expect, it } from 'vitest';
import { InputError } from '../../../harness/core/errors.ts';
import { compareExitCode } from '../../../harness/cli/exit-codes.ts';
import { VERDICT_ORDER, compareRuns, type ComparedRun } from '../../../harness/report/compare/compare.ts';
import { renderCompareJunit } from '../../../harness/report/compare/junit.ts';
import { AUTH_FAILURE, NOT_INSTALLED, QEMU_DIED, SMMU_FAULT, everyVerdict, run, sides } from './fixtures.ts';
import { summaryOf } from '../fixtures.ts';

const comparison = compareRuns(...everyVerdict);
const byId = (id: string): ComparedRun => {
  const found = comparison.runs.find((r) => r.id === id);
  if (!found) throw new Error(`no ${id} in the comparison`);
  return found;
};
const patched = (r: Parameters<typeof run>) => run(r[0], r[1], r[2], { ...r[3], side: 'patched' });

describe('compareRuns', () => {
  it('gives the four verdicts the issue names', () => {
    expect(byId('adsp@kvm-el2').verdict).toBe('regressed');
    expect(byId('boot@kvm-el2').verdict).toBe('fixed');
    expect(byId('boot@el1').verdict).toBe('still-failing');
    expect(byId('adsp@xen-el1').verdict).toBe('unchanged');
  });

  it('keeps the patched failure of a regression and the baseline failure of a fix', () => {
    const regressed = byId('adsp@kvm-el2');
    expect(regressed.baseline).toMatchObject({ status: 'pass', failure: undefined });
    expect(regressed.patched?.failure).toMatchObject({ code: 'F_RPROC_STATE', stepIndex: 1, stepTitle: 'expect-rproc adsp running' });
    expect(regressed.patched?.failure?.evidence).toHaveLength(SMMU_FAULT.evidence.length);
    expect(regressed.patched?.failure?.where).toBe('at step 2 "expect-rproc adsp running" (scenarios/adsp.yaml:11)');
    expect(byId('boot@kvm-el2').baseline?.failure?.code).toBe('F_DMESG_MISSING');
  });

  it('calls an ERROR on either side inconclusive, naming the side, whatever the other side did', () => {
    expect(byId('adsp@el1')).toMatchObject({ verdict: 'inconclusive', side: 'patched' });
    const error = (side: 'baseline' | 'patched') => run('x', 'el1', 'error', { failure: QEMU_DIED, side });
    const cases = [
      [error('baseline'), patched(['x', 'el1', 'fail', { failure: AUTH_FAILURE }]), 'baseline'],
      [run('x', 'el1', 'fail', { failure: AUTH_FAILURE }), error('patched'), 'patched'],
      [error('baseline'), error('patched'), 'both'],
      [error('baseline'), patched(['x', 'el1', 'skip', { failure: NOT_INSTALLED }]), 'baseline'],
    ] as const;
    for (const [before, after, side] of cases) {
      const [verdict] = compareRuns(...sides([[before, after]])).runs;
      expect(verdict, `${before.status} → ${after.status}`).toMatchObject({ verdict: 'inconclusive', side });
    }
  });

  it('calls a run skipped on a side skipped, never fixed or regressed', () => {
    expect(byId('iris@xen-el1')).toMatchObject({ verdict: 'skipped', side: 'patched' });
    const [fromSkip] = compareRuns(...sides([[run('x', 'el1', 'skip'), patched(['x', 'el1', 'pass'])]])).runs;
    expect(fromSkip).toMatchObject({ verdict: 'skipped', side: 'baseline' });
    const [bothSkipped] = compareRuns(...sides([[run('x', 'el1', 'skip'), patched(['x', 'el1', 'skip'])]])).runs;
    expect(bothSkipped).toMatchObject({ verdict: 'skipped', side: 'both' });
  });

  it('calls runs found on one side only new or gone', () => {
    expect(byId('crash@el1')).toMatchObject({ verdict: 'new', baseline: undefined, patched: { status: 'fail' } });
    expect(byId('stop@el1')).toMatchObject({ verdict: 'gone', baseline: { status: 'pass' }, patched: undefined });
  });

  it('tells a still-failing run whose failure moved from one that fails the same way', () => {
    // Same step and code, different evidence (timestamps): the same failure.
    expect(byId('boot@el1').failureChanged).toBe(false);
    const changed = byId('cdsp@kvm-el2');
    expect(changed).toMatchObject({ verdict: 'still-failing', failureChanged: true });
    expect(changed.baseline?.failure).toMatchObject({ code: 'F_DMESG_MISSING', stepIndex: 1 });
    expect(changed.patched?.failure).toMatchObject({ code: 'F_RPROC_STATE', stepIndex: 2 });
    const sameStepOtherCode = compareRuns(
      ...sides([[run('x', 'el1', 'fail', { failure: AUTH_FAILURE }), patched(['x', 'el1', 'fail', { failure: SMMU_FAULT }])]]),
    );
    expect(sameStepOtherCode.runs[0]?.failureChanged).toBe(true);
  });

  it('counts every verdict and orders the runs for reading: regressions first, unchanged last', () => {
    expect(comparison.counts).toEqual({ regressed: 1, inconclusive: 1, 'still-failing': 2, fixed: 1, new: 1, gone: 1, skipped: 1, unchanged: 1 });
    const ranks = comparison.runs.map((r) => VERDICT_ORDER.indexOf(r.verdict));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(comparison.runs[0]?.id).toBe('adsp@kvm-el2');
    // The changed failure comes before the one that fails as it did.
    expect(comparison.runs.filter((r) => r.verdict === 'still-failing').map((r) => r.id)).toEqual(['cdsp@kvm-el2', 'boot@el1']);
  });

  it('orders a verdict group by scenario, then by profile in PROFILES order', () => {
    const pairs = (['el1', 'kvm-el2', 'xen-el1'] as const).flatMap((profile) =>
      ['b', 'a'].map((s) => [run(s, profile, 'pass'), patched([s, profile, 'pass'])] as [ReturnType<typeof run>, ReturnType<typeof run>]),
    );
    expect(compareRuns(...sides(pairs)).runs.map((r) => r.id)).toEqual(['a@kvm-el2', 'a@xen-el1', 'a@el1', 'b@kvm-el2', 'b@xen-el1', 'b@el1']);
  });

  it('tells apart two kernels of one release by their source and build-id', () => {
    const deployed = (dir: string, buildId: string) => ({
      method: 'kexec', kernel: `build tree ${dir}`, release: '6.1.192', buildId, imageSha256: 'ab'.repeat(32), previousRelease: '6.1.0-26-arm64',
      timings: { prepareMs: 0, pushMs: 0, loadMs: 0, rebootMs: 0, proofMs: 0, totalMs: 0 }, pushedBytes: 0,
    });
    const base = { ...run('soc', 'kvm-el2', 'pass'), kernelRelease: '6.1.192', deploy: deployed('/src/linux', '4f0c2d1e9a7b00112233') };
    const next = { ...patched(['soc', 'kvm-el2', 'fail', { failure: SMMU_FAULT }]), kernelRelease: '6.1.192', deploy: deployed('/src/linux-patched', '99aa88bb77cc66dd') };
    const result = compareRuns(...sides([[base, next]]));
    expect(result.baseline.kernels).toEqual(['6.1.192 (build tree /src/linux, build-id 4f0c2d1e9a7b)']);
    expect(result.patched.kernels).toEqual(['6.1.192 (build tree /src/linux-patched, build-id 99aa88bb77cc)']);
    expect(result.runs[0]!.baseline!.kernel).not.toBe(result.runs[0]!.patched!.kernel);
    expect(renderCompareJunit(result)).toContain('on 6.1.192 (build tree /src/linux-patched, build-id 99aa88bb77cc)');
  });

  it('carries each side: artifacts, kernel releases, interruption', () => {
    expect(comparison.baseline).toMatchObject({ artifactsDir: '/tmp/pilot/baseline', kernelReleases: ['6.1.0-26-arm64'], interrupted: false });
    expect(comparison.patched.kernelReleases).toEqual(['6.1.0-26-arm64+']);
    const interrupted = compareRuns(...sides([[run('x', 'el1', 'pass'), undefined]], { patchedInterrupted: true }));
    expect(interrupted.patched.interrupted).toBe(true);
  });

  it('refuses results that hold one id twice', () => {
    const twice = summaryOf([run('x', 'el1', 'pass'), run('x', 'el1', 'fail', { failure: AUTH_FAILURE })]);
    expect(() => compareRuns(twice, summaryOf([]))).toThrow(InputError);
    expect(() => compareRuns(twice, summaryOf([]))).toThrow(/baseline results hold x@el1 twice/);
  });
});

describe('compareExitCode', () => {
  const exitFor = (before: Parameters<typeof run>, after: Parameters<typeof run>) => compareExitCode(compareRuns(...sides([[run(...before), patched(after)]])));

  it('is 1 on a regression, even beside fixes and inconclusive pairs', () => {
    expect(compareExitCode(comparison)).toBe(1);
  });

  it('is 0 when nothing regressed, whether fixed, still failing or unchanged', () => {
    expect(exitFor(['x', 'el1', 'fail', { failure: AUTH_FAILURE }], ['x', 'el1', 'pass'])).toBe(0);
    expect(exitFor(['x', 'el1', 'fail', { failure: AUTH_FAILURE }], ['x', 'el1', 'fail', { failure: SMMU_FAULT }])).toBe(0);
    expect(exitFor(['x', 'el1', 'pass'], ['x', 'el1', 'pass'])).toBe(0);
  });

  it('is 0 when some pairs are inconclusive but others were compared', () => {
    const mixed = sides([
      [run('x', 'el1', 'pass'), patched(['x', 'el1', 'error', { failure: QEMU_DIED }])],
      [run('y', 'el1', 'pass'), patched(['y', 'el1', 'pass'])],
    ]);
    expect(compareExitCode(compareRuns(...mixed))).toBe(0);
  });

  it('is 2 when not a single pair could be compared', () => {
    expect(exitFor(['x', 'el1', 'pass'], ['x', 'el1', 'error', { failure: QEMU_DIED }])).toBe(2);
    expect(exitFor(['x', 'el1', 'pass'], ['x', 'el1', 'skip', { failure: NOT_INSTALLED }])).toBe(2);
    expect(compareExitCode(compareRuns(summaryOf([]), summaryOf([])))).toBe(2);
    expect(compareExitCode(compareRuns(...sides([[run('x', 'el1', 'pass'), undefined]])))).toBe(2);
  });
});
