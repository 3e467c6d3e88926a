// The terminal a session runs under: Ctrl-C stops it cleanly, image progress and notes go to stderr, results to stdout.
import type { SessionIo } from '../runner/session-io.ts';
import { printImageProgress } from './image-progress.ts';
import { trapInterrupts } from './interrupt.ts';

export const terminalIo: SessionIo = {
  trapInterrupts: () => trapInterrupts(),
  onImageProgress: printImageProgress,
  note: (line) => process.stderr.write(line + '\n'),
  print: (text) => process.stdout.write(text),
};
