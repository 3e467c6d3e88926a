// Builds the real StepContext around a FakeGuest, for unit tests of step kinds.
import { PROFILES, type ProfileName } from '../../harness/model/profile.ts';
import { createStepContext } from '../../harness/runner/run-steps.ts';
import type { StepContext } from '../../harness/steps/step.ts';
import { FakeGuest } from './fake-guest.ts';
import type { FakeTrustZone } from './fake-trust-zone.ts';

export interface FakeStepContext {
  context: StepContext;
  guest: FakeGuest;
  /** What the step noted with context.note(). */
  assertions: string[];
  /** Aborts the step's signal, as Ctrl-C would. */
  abort(reason?: unknown): void;
}

/** The step's windows (kmsg and tz) start at the logs' current ends unless `windowStart`/`tzWindowStart` say otherwise. */
export function fakeStepContext(
  options: {
    guest?: FakeGuest;
    profile?: ProfileName;
    deadlineMs?: number;
    windowStart?: number;
    previousWindowStart?: number;
    trustZone?: FakeTrustZone;
    tzWindowStart?: number;
    previousTzWindowStart?: number;
  } = {},
): FakeStepContext {
  const guest = options.guest ?? new FakeGuest();
  const controller = new AbortController();
  const assertions: string[] = [];
  const windowStart = options.windowStart ?? guest.kernelLog.nextSeq();
  const context = createStepContext({
    guest,
    profile: PROFILES[options.profile ?? 'kvm-el2'],
    signal: controller.signal,
    deadline: Date.now() + (options.deadlineMs ?? 5_000),
    machineDied: guest.machine.died,
    windowStart,
    previousWindowStart: options.previousWindowStart ?? windowStart,
    artifactsDir: '/nonexistent/artifacts',
    trustZone: options.trustZone,
    ...(options.tzWindowStart === undefined ? {} : { tzWindowStart: options.tzWindowStart }),
    ...(options.previousTzWindowStart === undefined ? {} : { previousTzWindowStart: options.previousTzWindowStart }),
    note: (assertion) => assertions.push(assertion),
  });
  return { context, guest, assertions, abort: (reason) => controller.abort(reason) };
}
