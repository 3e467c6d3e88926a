// The tz log lines received so far, and waits for a line that matches: the part of a TrustZone channel that is not I/O.
import { race } from '../../harness/core/wait.ts';

/** Rejection the deadline turns into "no line": a sentinel so race() does the timer, abort and clean-up bookkeeping. */
class NoLineYet extends Error {}

export class TzLineLog {
  readonly #lines: string[] = [];
  readonly #listeners = new Set<(line: string) => void>();

  lines(): string[] {
    return [...this.#lines];
  }

  /** Keeps `line` and offers it to every pending wait, in arrival order. */
  add(line: string): void {
    this.#lines.push(line);
    for (const listener of [...this.#listeners]) listener(line);
  }

  /** Already-logged lines are looked at first, each once, then each new line once as it arrives. */
  async waitForLine(match: (line: string) => boolean, deadline: number, signal: AbortSignal): Promise<string | undefined> {
    const logged = this.#lines.find(match);
    if (logged !== undefined) return logged;
    let listener: ((line: string) => void) | undefined;
    const arrived = new Promise<string>((resolve) => {
      listener = (line) => {
        if (match(line)) resolve(line);
      };
      this.#listeners.add(listener);
    });
    try {
      return await race(arrived, 'a tz log line', { signal, deadline }, () => new NoLineYet());
    } catch (error) {
      if (error instanceof NoLineYet) return undefined;
      throw error;
    } finally {
      this.#listeners.delete(listener!);
    }
  }
}
