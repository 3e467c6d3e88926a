import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../harness/report/describe.ts';
import type { RunResult } from '../../harness/model/results.ts';
import { errorRun, failRun, passRun, step } from './fixtures.ts';

describe('describeFailure', () => {
  it('points at the failing step with its file and line', () => {
    expect(describeFailure(failRun, 8).where).toBe('at step 3 "expect-dmesg absent arm-smmu-v3 .* event 0x10" (scenarios/adsp.yaml:14)');
  });

  it('names the phase in progress when the reporter saw it, else the last phase the result recorded', () => {
    expect(describeFailure(errorRun, 8, 'ssh-ready').where).toBe('before any step, during ssh-ready');
    expect(describeFailure(errorRun, 8).where).toBe('before any step; last phase recorded: kernel-boot');
  });

  it('does not claim "before any step" when steps ran and the failure came after them', () => {
    const teardown: RunResult = { ...passRun, status: 'error', failure: { code: 'E_QEMU_STOP', message: 'QEMU ignored SIGTERM', evidence: [] } };
    expect(describeFailure(teardown, 8).where).toBe('outside any step; last phase recorded: qemu-start');
  });

  it('cuts evidence at the limit and says how much was left out', () => {
    const evidence = describeFailure(failRun, 3).evidence;
    expect(evidence).toHaveLength(4);
    expect(evidence[3]).toBe("… 9 more lines in the run's artifacts");
  });

  it('prefers a step whose status matches the run over an earlier one of another kind', () => {
    const mixed: RunResult = {
      ...failRun,
      status: 'fail',
      steps: [step(0, 'rproc adsp start', { status: 'error' }), step(1, 'expect-rproc adsp running', { status: 'fail', line: 20 })],
    };
    expect(describeFailure(mixed, 8).where).toBe('at step 2 "expect-rproc adsp running" (scenarios/adsp.yaml:20)');
  });
});
