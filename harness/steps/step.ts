// A step kind is one file: its schema, a title for reports, and what it does to the guest. Adding a kind means adding a file and one registry line.
import type { StepFormat } from '../scenario/step-format.ts';
import type { Guest, KmsgRecord } from '../guest/guest.ts';
import type { Profile } from '../model/profile.ts';
import type { TrustZoneChannel } from '../model/trust-zone.ts';

export interface StepContext {
  guest: Guest;
  profile: Profile;
  /** Aborts on Ctrl-C, on the step's deadline, when the machine dies, and once the step has ended. */
  signal: AbortSignal;
  /** Absolute deadline (Date.now() ms) for this step: the step's `timeout` or what is left of the scenario's. */
  deadline: number;
  /** Rejects when the machine dies; race every wait against it. */
  machineDied: Promise<never>;
  /** kmsg seq where this step's window begins: records with seq >= windowStart were logged after the step began. */
  windowStart: number;
  /** kmsg seq where the previous step's window began (equals windowStart for the first step). */
  previousWindowStart: number;
  /** Kernel log records logged since this step began (synchronised on each call). */
  dmesgSinceStepStart(): Promise<KmsgRecord[]>;
  /**
   * Waits until a record with seq >= `fromSeq` (default: windowStart) satisfies `match`, reading records as they
   * arrive. Resolves with it, or with undefined once `deadline` passes without one. Rejects on abort or machine death.
   */
  waitForDmesg(
    match: (record: KmsgRecord) => boolean,
    deadline: number,
    what: string,
    fromSeq?: number,
  ): Promise<KmsgRecord | undefined>;
  /** The EL3 firmware's secure UART; undefined on machines without it (the simulated SoC, boards). */
  trustZone?: TrustZoneChannel;
  /** Index into trustZone.lines() where this step's window begins (0 without a channel). */
  tzWindowStart: number;
  /** Index into trustZone.lines() where the previous step's window began (equals tzWindowStart for the first step). */
  previousTzWindowStart: number;
  /** Notes one checked assertion for the report; failing ones are thrown as AssertionFailure by the step. */
  note(assertion: string): void;
  /** Folder for this run's artifacts. */
  artifactsDir: string;
  /**
   * Keeps `text` beside the step's dmesg window as `steps/NN-kind.<suffix>` (e.g. a command's whole stdout) and returns
   * that name relative to the run's folder; undefined where the context has no steps folder (unit tests).
   */
  keepFile(suffix: string, text: string): Promise<string | undefined>;
}

export interface StepKind<Spec = unknown> extends StepFormat<Spec> {
  /** Throws AssertionFailure when the kernel misbehaves and InfraError when the harness or target does. */
  run(spec: Spec, context: StepContext): Promise<void>;
}

/** Any registered kind; Spec is both read and written by a kind, so the list of kinds can only be typed loosely. */
export type AnyStepKind = StepKind<any>;

/** Identity helper that checks a kind's methods against its own schema's output type. */
export function defineStepKind<Spec>(kind: StepKind<Spec>): StepKind<Spec> {
  return kind;
}

/** Shortens user text for titles and messages. */
export function clip(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
