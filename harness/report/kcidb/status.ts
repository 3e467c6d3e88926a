// pilot's statuses in KCIDB's words. The schema (v5.3) defines, in priority order:
//   FAIL  the test completed and reported the tested code as faulty;
//   ERROR the test didn't complete due to a failure in its code, the tested code's status is unknown;
//   MISS  the test didn't run due to a failure in the test harness, both statuses unknown;
//   PASS  the test completed and reported the tested code as correct;
//   SKIP  the test did not run or complete because it was not applicable, both statuses unknown.
// So: pass→PASS, fail→FAIL, error→ERROR (pilot's error is infrastructure, and so is KCIDB's "its code").
// A run that never started (pilot was interrupted before its turn) → MISS: it was planned and applicable, the harness stopped.
// A step never reached after an earlier step FAILED → SKIP: it builds on state the failed assertion was meant to
// establish, so it no longer applies. A step never reached after an ERROR or an interrupt → MISS: the harness broke or
// stopped, nothing made it inapplicable.
import type { RunResult, Status, StepResult } from '../../model/results.ts';

export type KcidbStatus = 'FAIL' | 'ERROR' | 'MISS' | 'PASS' | 'DONE' | 'SKIP';

const RAN: Record<Exclude<Status, 'skip'>, KcidbStatus> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' };

export function kcidbRunStatus(run: Pick<RunResult, 'status'>): KcidbStatus {
  return run.status === 'skip' ? 'MISS' : RAN[run.status];
}

export function kcidbStepStatus(step: Pick<StepResult, 'status'>, run: Pick<RunResult, 'status'>): KcidbStatus {
  if (step.status !== 'skip') return RAN[step.status];
  return run.status === 'fail' ? 'SKIP' : 'MISS';
}
