// Lays out the artifacts folder: one per invocation, one sub-folder per run, and a `latest` link for humans.
import { mkdir, rm, symlink } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { STEPS_DIR } from '../model/artifact-names.ts';

export function timestampName(date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

/** Where `pilot run` puts its timestamped folders when --artifacts is not given. */
export const DEFAULT_ARTIFACTS_BASE = 'artifacts';

/** Creates <base>/<timestamp> (or the exact folder asked for) and points <base>/latest at it. */
export async function createArtifactsRoot(options: { base?: string; exact?: string }): Promise<string> {
  if (options.exact) {
    const dir = resolve(options.exact);
    await mkdir(dir, { recursive: true });
    return dir;
  }
  const base = resolve(options.base ?? DEFAULT_ARTIFACTS_BASE);
  let dir = join(base, timestampName());
  // Two runs started in the same second must not share a folder.
  for (let n = 2; ; n++) {
    try {
      await mkdir(dir, { recursive: false });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') await mkdir(base, { recursive: true });
      else if ((error as NodeJS.ErrnoException).code === 'EEXIST') dir = join(base, `${timestampName()}-${n}`);
      else throw error;
    }
  }
  const latest = join(base, 'latest');
  await rm(latest, { force: true });
  await symlink(basename(dir), latest).catch(() => {});
  return dir;
}

/** A run's folder name: its id with anything unsafe for a path replaced. */
export async function createRunDir(root: string, runId: string): Promise<string> {
  const dir = join(root, runId.replace(/[^\w@.-]/g, '_'));
  await mkdir(join(dir, STEPS_DIR), { recursive: true });
  return dir;
}

