// The files of a host folder with their sha256, written as the list `sha256sum -c` checks on the target.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { fileSha256 } from './file-sha256.ts';

export interface ManifestEntry {
  /** Relative to the tree's root, '/'-separated, as tar stores it. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  size: number;
  /** Regular files only: symlinks and folders have no content of their own to check. */
  sha256?: string;
}

/** Every entry under root, parents before children, sorted so the tar stream and the manifest are reproducible. */
export async function treeManifest(root: string): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  const walk = async (relative: string): Promise<void> => {
    const names = (await readdir(join(root, relative))).sort();
    for (const name of names) {
      const path = relative ? `${relative}/${name}` : name;
      // sha256sum -c reads one name per line: a newline in a name could not be checked, so it is refused up front.
      if (path.includes('\n')) throw new InputError('E_PUSH_NAME', `cannot push '${join(root, path)}': its name holds a newline`);
      const stats = await lstat(join(root, path));
      if (stats.isSymbolicLink()) entries.push({ path, type: 'symlink', size: 0 });
      else if (stats.isDirectory()) {
        entries.push({ path, type: 'dir', size: 0 });
        await walk(path);
      } else if (stats.isFile()) entries.push({ path, type: 'file', size: stats.size, sha256: await fileSha256(join(root, path)) });
      else throw new InputError('E_PUSH_NAME', `cannot push '${join(root, path)}': not a file, folder or symlink`);
    }
  };
  await walk('');
  return entries;
}

/** The `sha256sum -c` input: "<hash>  ./<path>" per regular file. */
export function checkList(entries: readonly ManifestEntry[]): string {
  return entries
    .filter((entry) => entry.sha256 !== undefined)
    .map((entry) => `${entry.sha256}  ./${entry.path}\n`)
    .join('');
}

/** The size of the tar stream node-tar writes for these entries: a 512-byte header each, content padded to 512, two zero blocks. */
export function estimatedTarBytes(entries: readonly ManifestEntry[]): number {
  const content = entries.reduce((sum, entry) => sum + 512 + Math.ceil(entry.size / 512) * 512, 0);
  return content + 1024;
}

/** Names of the files `sha256sum -c` did not report as OK, from its output. */
export function failedChecks(entries: readonly ManifestEntry[], output: string): string[] {
  const ok = new Set(
    output
      .split('\n')
      .filter((line) => line.endsWith(': OK'))
      .map((line) => line.slice(0, -': OK'.length).replace(/^\.\//, '')),
  );
  return entries.filter((entry) => entry.sha256 !== undefined && !ok.has(entry.path)).map((entry) => entry.path);
}
