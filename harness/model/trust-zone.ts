// The secure UART of a machine running pilot's EL3 firmware (images/el3-firmware/), as steps and the machine line see it.

export interface TrustZoneChannel {
  /** Every tz log line so far, in order. */
  lines(): string[];
  /** Resolves with the first line (already logged or later) that matches, or undefined once `deadline` (Date.now() ms) passes; rejects on abort. */
  waitForLine(match: (line: string) => boolean, deadline: number, signal: AbortSignal): Promise<string | undefined>;
  /** Sends one host-channel command line (see images/el3-firmware/README.md), resolving once written. */
  send(command: string): Promise<void>;
}

/** The remote processors the firmware plays, by the PAS id qcom_q6v5_pas asks TrustZone for (README "Remote processors"). */
export const TZ_PROCESSORS = { adsp: 1, cdsp: 18 } as const;
export type TzProcessor = keyof typeof TZ_PROCESSORS;
export const TZ_PROCESSOR_NAMES = Object.keys(TZ_PROCESSORS) as [TzProcessor, ...TzProcessor[]];
