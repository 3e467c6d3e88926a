// A scripted TrustZoneChannel for unit tests: tests log real-format tz lines, and host commands are answered as the firmware would.
import { TzLineLog } from './tz-line-log.ts';
import type { TrustZoneChannel, TrustZoneLine } from '../../harness/model/trust-zone.ts';

/** The firmware's answer line(s) to a command; none models a firmware that never answers. */
export type Answer = (command: string) => string[];

export const ANSWER_OK: Answer = (command) => [`tz: host ok ${command}`];

export class FakeTrustZone implements TrustZoneChannel {
  readonly #log = new TzLineLog();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Every command sent, in order. */
  readonly sent: string[] = [];
  /** How the firmware answers; set per test. */
  answer: Answer = ANSWER_OK;
  /** Delay before the answer, as the firmware polls its UART from a 100 Hz tick. */
  answerAfterMs = 10;

  constructor(initial: ReadonlyArray<string> = []) {
    this.log(...initial);
  }

  lines(): string[] {
    return this.#log.lines();
  }

  /** A fake has no clock of its own: lines are stamped in the order they were logged. */
  timedLines(): TrustZoneLine[] {
    return this.#log.lines().map((text, index) => ({ atMs: index, text }));
  }

  waitForLine(match: (line: string) => boolean, deadline: number, signal: AbortSignal): Promise<string | undefined> {
    return this.#log.waitForLine(match, deadline, signal);
  }

  async send(command: string): Promise<void> {
    this.sent.push(command);
    const answer = this.answer(command);
    if (answer.length) this.logAfter(this.answerAfterMs, ...answer);
  }

  log(...lines: string[]): void {
    for (const line of lines) this.#log.add(line);
  }

  logAfter(ms: number, ...lines: string[]): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.log(...lines);
    }, ms);
    this.#timers.add(timer);
  }

  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
