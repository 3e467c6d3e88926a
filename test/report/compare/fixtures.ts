// Hand-built baseline and patched results for the compare tests: small runs with exactly the failure each case needs.
import type { ProfileName } from '../../../harness/model/profile.ts';
import type { FailureInfo, RunResult, Status } from '../../../harness/model/results.ts';
import { step, summaryOf } from '../fixtures.ts';

export const SMMU_FAULT: FailureInfo = {
  code: 'F_RPROC_STATE',
  message: 'adsp did not reach running within 30 s: state is offline',
  evidence: Array.from({ length: 9 }, (_, i) => `[   12.${i}] arm-smmu-v3 9050000.smmuv3: event 0x10 received #${i}`),
  hint: 'does the DT node of adsp carry iommus?',
};

export const AUTH_FAILURE: FailureInfo = {
  code: 'F_DMESG_MISSING',
  message: 'line never appeared: remote processor adsp is now up',
  evidence: ['[   10.2] qcom_q6v5_pas adsp: failed to authenticate image and release reset'],
};

export const QEMU_DIED: FailureInfo = {
  code: 'E_QEMU_EXIT',
  message: 'QEMU exited with code 1 during kernel-boot',
  evidence: ['qemu-system-aarch64: \x1b[31mhardware error\x1b[0m <edu> & friends'],
};

export const NOT_INSTALLED: FailureInfo = { code: 'E_PROFILE_UNAVAILABLE', message: 'xen-hypervisor-4.17-arm64 is not installed', evidence: [] };

/**
 * A run of the three-step `scenario` on `profile`. A FAIL fails at `failAt` (default step 2, 0-based 1) with `failure`;
 * an ERROR or SKIP carries `failure` on the run, outside the steps.
 */
export function run(
  scenario: string,
  profile: ProfileName,
  status: Status,
  options: { failure?: FailureInfo; failAt?: number; side?: 'baseline' | 'patched'; release?: string } = {},
): RunResult {
  const side = options.side ?? 'baseline';
  const failAt = options.failAt ?? 1;
  const titles = ['expect-el profile', 'expect-rproc adsp running', 'iris open decoder'];
  const steps = titles.map((title, index) => {
    if (status === 'pass') return step(index, title);
    if (status === 'fail') {
      if (index < failAt) return step(index, title);
      if (index === failAt) return step(index, title, { status: 'fail', failure: options.failure });
    }
    return step(index, title, { status: 'skip', durationMs: 0 });
  });
  const id = `${scenario}@${profile}`;
  return {
    id,
    scenario,
    file: `scenarios/${scenario}.yaml`,
    profile,
    status,
    startedAt: '2026-11-21T10:00:00.000Z',
    durationMs: status === 'skip' ? 0 : 8_000,
    phases: [{ name: 'kernel-boot', startedAtMs: 0, durationMs: 2_000 }],
    steps,
    failure: status === 'pass' ? undefined : options.failure,
    artifactsDir: `/tmp/pilot/${side}/${id}`,
    kernelRelease: status === 'skip' ? undefined : (options.release ?? (side === 'baseline' ? '6.1.0-26-arm64' : '6.1.0-26-arm64+')),
  };
}

/** Both sides of a compare, `[baseline, patched]`, built from per-id statuses. */
export function sides(
  pairs: Array<[RunResult | undefined, RunResult | undefined]>,
  overrides: { baselineInterrupted?: boolean; patchedInterrupted?: boolean } = {},
) {
  const baseline = pairs.flatMap(([b]) => (b ? [b] : []));
  const patched = pairs.flatMap(([, p]) => (p ? [p] : []));
  return [
    summaryOf(baseline, { artifactsDir: '/tmp/pilot/baseline', interrupted: overrides.baselineInterrupted ?? false }),
    summaryOf(patched, { artifactsDir: '/tmp/pilot/patched', interrupted: overrides.patchedInterrupted ?? false }),
  ] as const;
}

const p = (scenario: string, profile: ProfileName, status: Status, options: Parameters<typeof run>[3] = {}) => run(scenario, profile, status, { ...options, side: 'patched' });
const b = (scenario: string, profile: ProfileName, status: Status, options: Parameters<typeof run>[3] = {}) => run(scenario, profile, status, { ...options, side: 'baseline' });

/** One pair per verdict (still-failing twice: same failure and changed failure), the missing-mapping regression first. */
export const everyVerdict = sides([
  [b('adsp', 'kvm-el2', 'pass'), p('adsp', 'kvm-el2', 'fail', { failure: SMMU_FAULT })],
  [b('adsp', 'xen-el1', 'pass'), p('adsp', 'xen-el1', 'pass')],
  [b('adsp', 'el1', 'pass'), p('adsp', 'el1', 'error', { failure: QEMU_DIED })],
  [b('boot', 'kvm-el2', 'fail', { failure: AUTH_FAILURE }), p('boot', 'kvm-el2', 'pass')],
  [b('boot', 'el1', 'fail', { failure: AUTH_FAILURE }), p('boot', 'el1', 'fail', { failure: { ...AUTH_FAILURE, evidence: ['[   11.0] other timestamp'] } })],
  [b('cdsp', 'kvm-el2', 'fail', { failure: AUTH_FAILURE }), p('cdsp', 'kvm-el2', 'fail', { failure: SMMU_FAULT, failAt: 2 })],
  [b('iris', 'xen-el1', 'pass'), p('iris', 'xen-el1', 'skip', { failure: NOT_INSTALLED })],
  [undefined, p('crash', 'el1', 'fail', { failure: AUTH_FAILURE })],
  [b('stop', 'el1', 'pass'), undefined],
]);
