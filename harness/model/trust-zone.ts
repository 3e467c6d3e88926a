// The host side of the EL3 firmware's channel (its secure UART): what it logged, and how to send it a command.

/** One line the firmware printed, with when the host received it. */
export interface TrustZoneLine {
  /** Milliseconds since the machine's QEMU started. */
  atMs: number;
  text: string;
}

/**
 * The firmware's host channel on a machine booted with `soc: real` (images/el3-firmware/README.md, "Host channel").
 * Lines are `tz: <area> <event> …`; commands are one line each (`fatal adsp`, `fault cdsp no-stop-ack on`, …).
 */
export interface TrustZoneChannel {
  /** Every line so far, oldest first, without timestamps. */
  lines(): string[];
  /** Every line so far with the time it arrived. */
  timedLines(): TrustZoneLine[];
  /**
   * The first line (already received or arriving later) that match accepts; undefined when the deadline
   * (Date.now() ms) passes or the channel closes first. Rejects only when signal aborts.
   */
  waitForLine(match: (line: string) => boolean, deadline: number, signal: AbortSignal): Promise<string | undefined>;
  /**
   * Sends one command line once the firmware's UART is up, resolving when it is written; the firmware answers in
   * the log with `tz: host ok <command>` or `tz: host error …`, which the caller reads.
   */
  send(command: string): Promise<void>;
}

/** The remote processors the firmware plays, by the PAS id qcom_q6v5_pas asks TrustZone for (README "Remote processors"). */
export const TZ_PROCESSORS = { adsp: 1, cdsp: 18 } as const;
export type TzProcessor = keyof typeof TZ_PROCESSORS;
export const TZ_PROCESSOR_NAMES = Object.keys(TZ_PROCESSORS) as [TzProcessor, ...TzProcessor[]];

/** The firmware's one answer to a host command: `tz: host ok <command>` or `tz: host error <reason>: <command>`. */
export function hostAnswer(line: string, command: string): { ok: true } | { ok: false; reason: string } | undefined {
  if (line === `tz: host ok ${command}`) return { ok: true };
  const prefix = 'tz: host error ';
  const suffix = `: ${command}`;
  if (line.startsWith(prefix) && line.endsWith(suffix) && line.length >= prefix.length + suffix.length) {
    return { ok: false, reason: line.slice(prefix.length, line.length - suffix.length) };
  }
  return undefined;
}
