// What a session needs from the terminal it runs under, given by the command: interrupts, progress lines and output.
import type { ImageProgress } from '../images/progress.ts';

export interface InterruptTrap {
  signal: AbortSignal;
  dispose(): void;
}

export interface SessionIo {
  /** Turns SIGINT/SIGTERM into an abort of the session's signal until disposed. */
  trapInterrupts(): InterruptTrap;
  onImageProgress(event: ImageProgress): void;
  /** A line for the person at the terminal, beside the results (stderr). */
  note(line: string): void;
  /** Text that belongs with the results (stdout). */
  print(text: string): void;
}
