// How commands that build images show it: one stderr line per piece built, nothing for pieces served from the cache.
import type { ImageProgress } from '../images/progress.ts';

export function printImageProgress(event: ImageProgress): void {
  if (event.phase !== 'cached') process.stderr.write(`images: ${event.piece}: ${event.phase}${event.detail ? ` ${event.detail}` : ''}\n`);
}
