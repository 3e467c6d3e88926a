// Where built guest images live: PILOT_CACHE, else $XDG_CACHE_HOME/pilot, else ~/.cache/pilot.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PILOT_CACHE) return resolve(env.PILOT_CACHE);
  if (env.XDG_CACHE_HOME) return resolve(env.XDG_CACHE_HOME, 'pilot');
  return join(env.HOME || homedir(), '.cache', 'pilot');
}
