// Unpacks Debian packages without installing them, for pieces built from their files.
import { mkdir } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Apt, AptPackage } from './apt.ts';
import type { ProgressSink } from './progress.ts';
import { runProcess } from '../host/process.ts';

export async function extractDeb(debPath: string, dest: string, signal?: AbortSignal): Promise<void> {
  await mkdir(dest, { recursive: true });
  await runProcess('dpkg-deb', ['-x', debPath, dest], { code: 'E_DEB_EXTRACT', what: `dpkg-deb -x ${basename(debPath)}`, signal });
}

export function describePackage(pkg: AptPackage): string {
  return `${pkg.name} ${pkg.version}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Downloads the packages not in the deb cache (one apt-get call) and returns their paths in the same order. */
export async function fetchDebs(apt: Apt, packages: AptPackage[], debDir: string, piece: string, progress: ProgressSink): Promise<string[]> {
  const started = Date.now();
  const { paths, downloaded } = await apt.download(packages, debDir);
  if (downloaded.length > 0) {
    const bytes = downloaded.reduce((sum, pkg) => sum + pkg.size, 0);
    const what = downloaded.length <= 3 ? downloaded.map(describePackage).join(', ') : `${downloaded.length} packages`;
    progress(piece, 'download', `${what} (${megabytes(bytes)} in ${Date.now() - started} ms)`);
  }
  return paths;
}
