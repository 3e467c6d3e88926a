// Writes the KCIDB document once the whole run has ended; `kcidb submit` (or any KCIDB client) takes the file as it is.
import { writeFileAtomic } from '../atomic-write.ts';
import type { Reporter } from '../reporter.ts';
import { toKcidb, type KcidbOptions } from './to-kcidb.ts';

export function createKcidbReporter(path: string, options: KcidbOptions): Reporter {
  return {
    name: 'kcidb',
    onEnd: (summary) => writeFileAtomic(path, `${JSON.stringify(toKcidb(summary, options), null, 2)}\n`),
  };
}
