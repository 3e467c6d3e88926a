// How a command's thrown error reaches the user: its code and message, its causes, its evidence and hint, on standard error.
import { describeCauseChain, isPilotError } from '../core/errors.ts';

export function reportError(command: string, error: unknown, write: (text: string) => void = (text) => process.stderr.write(text)): void {
  const [first, ...causes] = describeCauseChain(error);
  write(`pilot ${command}: ${first}\n`);
  for (const cause of causes) write(`  caused by: ${cause}\n`);
  if (isPilotError(error)) {
    for (const line of error.evidence) write(`  | ${line}\n`);
    if (error.hint) write(`  hint: ${error.hint}\n`);
  } else if (error instanceof Error && error.stack) {
    write(`${error.stack}\n`);
  }
}
