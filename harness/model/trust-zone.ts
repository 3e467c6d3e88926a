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
   * Sends one command and resolves when the firmware answers `tz: host ok <command>`; rejects on
   * `tz: host error …` or when no answer comes within a few seconds (the firmware polls the UART at 100 Hz).
   */
  send(command: string): Promise<void>;
}
