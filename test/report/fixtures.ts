// Hand-built results for reporter tests: one run per status, with the awkward text kernel logs really carry.
import type { PlannedRun } from '../../harness/report/reporter.ts';
import { countStatuses, type RunResult, type RunSummary, type StepResult } from '../../harness/model/results.ts';

export function step(index: number, title: string, overrides: Partial<StepResult> = {}): StepResult {
  return { index, kind: title.split(' ')[0]!, title, line: 10 + index, status: 'pass', durationMs: 300, assertions: [], ...overrides };
}

export function planned(run: RunResult, stepCount = run.steps.length): PlannedRun {
  return {
    id: run.id,
    scenario: run.scenario,
    file: run.file,
    profile: run.profile,
    stepTitles: Array.from({ length: stepCount }, (_, i) => run.steps[i]?.title ?? `step ${i + 1}`),
  };
}

export const passRun: RunResult = {
  id: 'boot@el1',
  scenario: 'boot',
  file: 'scenarios/boot.yaml',
  profile: 'el1',
  status: 'pass',
  startedAt: '2025-03-01T10:00:00.000Z',
  durationMs: 9_100,
  phases: [{ name: 'qemu-start', startedAtMs: 0, durationMs: 400 }],
  steps: [step(0, 'expect-el 1', { assertions: ['exception level is 1'] })],
  artifactsDir: '/tmp/pilot-artifacts/boot@el1',
  kernelRelease: '6.1.0-56-arm64',
};

/** The classic regression: SMMU faults at EL2. Twelve evidence lines, so the console must cut them. */
export const failRun: RunResult = {
  id: 'adsp@kvm-el2',
  scenario: 'adsp',
  file: 'scenarios/adsp.yaml',
  profile: 'kvm-el2',
  status: 'fail',
  startedAt: '2025-03-01T10:00:01.000Z',
  durationMs: 42_500,
  phases: [
    { name: 'qemu-start', startedAtMs: 0, durationMs: 500 },
    { name: 'kernel-boot', startedAtMs: 500, durationMs: 5_000 },
  ],
  steps: [
    step(0, 'expect-el 2'),
    step(1, 'rproc adsp start'),
    step(2, 'expect-dmesg absent arm-smmu-v3 .* event 0x10', {
      line: 14,
      status: 'fail',
      durationMs: 1_200,
      failure: {
        code: 'F_DMESG_FORBIDDEN',
        message: 'forbidden line appeared: arm-smmu-v3 .* event 0x10',
        evidence: Array.from({ length: 12 }, (_, i) => `[   12.${i}] arm-smmu-v3 9050000.smmuv3: event 0x10 received #${i}`),
        hint: 'does the DT node of adsp carry iommus?',
      },
    }),
    step(3, 'rproc adsp stop', { status: 'skip', durationMs: 0 }),
  ],
  artifactsDir: '/tmp/pilot-artifacts/adsp@kvm-el2',
};
failRun.failure = failRun.steps[2]!.failure;

/** QEMU died during boot: an infrastructure error, with text XML 1.0 cannot hold as is. */
export const errorRun: RunResult = {
  id: 'adsp@el1',
  scenario: 'adsp',
  file: 'scenarios/adsp.yaml',
  profile: 'el1',
  status: 'error',
  startedAt: '2025-03-01T10:00:02.000Z',
  durationMs: 3_000,
  phases: [
    { name: 'qemu-start', startedAtMs: 0, durationMs: 500 },
    { name: 'kernel-boot', startedAtMs: 500, durationMs: 2_500 },
  ],
  steps: [step(0, 'expect-el 1', { status: 'skip', durationMs: 0 })],
  failure: {
    code: 'E_QEMU_EXIT',
    message: 'QEMU exited with "hardware error" <code 1> & no core',
    evidence: ['\x1b[31mqemu: hardware error: edu\x1b[0m', 'nul\x00 bell\x07 ff\uffff lone\ud800 end', 'tab\there\r\nnext'],
  },
  artifactsDir: '/tmp/pilot-artifacts/adsp@el1',
};

export const skipRun: RunResult = {
  id: 'iris.decoder@xen-el1',
  scenario: 'iris.decoder',
  file: 'scenarios/iris.yaml',
  profile: 'xen-el1',
  status: 'skip',
  startedAt: '2025-03-01T10:00:03.000Z',
  durationMs: 0,
  phases: [],
  steps: [],
  failure: { code: 'E_PROFILE_UNAVAILABLE', message: 'xen-hypervisor-4.17-arm64 is not installed', evidence: [] },
  artifactsDir: '/tmp/pilot-artifacts/iris.decoder@xen-el1',
};

export function summaryOf(runs: RunResult[], overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    startedAt: '2025-03-01T10:00:00.000Z',
    durationMs: 61_000,
    artifactsDir: '/tmp/pilot-artifacts',
    interrupted: false,
    runs,
    counts: countStatuses(runs),
    ...overrides,
  };
}

/** A Writable stand-in that keeps every write separately, so tests can tell one frame from two. */
export function captureStream(extra: { isTTY?: boolean; columns?: number } = {}) {
  const writes: string[] = [];
  const stream = Object.assign(
    {
      write(chunk: string | Uint8Array): boolean {
        writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      },
    },
    extra,
  ) as unknown as NodeJS.WritableStream;
  return { stream, writes, text: () => writes.join('') };
}
