// A step kind is one file: its schema, a title for reports, and what it does to the guest. Adding a kind means adding a file and one registry line.
import type { z } from 'zod';
import type { Guest, KmsgRecord } from '../guest/guest.ts';
import type { Profile } from '../machine/profile.ts';

export interface StepContext {
  guest: Guest;
  profile: Profile;
  /** Aborts on Ctrl-C, on the scenario's timeout and when the machine dies. */
  signal: AbortSignal;
  /** Absolute deadline (Date.now() ms) for this step: the step's `timeout` or what is left of the scenario's. */
  deadline: number;
  /** Rejects when the machine dies; race every wait against it. */
  machineDied: Promise<never>;
  /** Kernel log records logged since this step began (synchronised on each call). */
  dmesgSinceStepStart(): Promise<KmsgRecord[]>;
  /** Wait until a record satisfying `match` appears after the step began, or the deadline passes. Returns it. */
  waitForDmesg(match: (record: KmsgRecord) => boolean, deadline: number, what: string): Promise<KmsgRecord>;
  /** Notes one checked assertion for the report; failing ones are thrown as AssertionFailure by the step. */
  note(assertion: string): void;
  /** Folder for this run's artifacts. */
  artifactsDir: string;
}

export interface StepKind<Spec = unknown> {
  /** The YAML key, e.g. 'expect-dmesg'. */
  readonly name: string;
  /** One sentence for `pilot schema` and the README. */
  readonly description: string;
  /** Validates the step's body (the value under its key). */
  readonly schema: z.ZodType<Spec>;
  /** Short title for progress lines and JUnit test case names. */
  title(spec: Spec): string;
  /** Throws AssertionFailure when the kernel misbehaves and InfraError when the harness or target does. */
  run(spec: Spec, context: StepContext): Promise<void>;
}
