// Report files are replaced whole: a reader (CI, a second terminal) never sees half a file, even if pilot dies mid-write.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InfraError } from '../core/errors.ts';

export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const folder = dirname(path);
  // Same folder as the target, so rename stays on one filesystem and is atomic.
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(folder, { recursive: true });
    await writeFile(temporary, data, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new InfraError('E_REPORT_WRITE', `cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}
