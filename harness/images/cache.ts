// Content-keyed cache entries: each piece is built in a temp folder and renamed into place, so an
// interrupted build never leaves an entry that looks complete. One build at a time per cache folder.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { InfraError } from '../core/errors.ts';
import { sleep } from '../core/wait.ts';

/** Bump when the layout of entries changes, so old entries are ignored. */
export const CACHE_FORMAT = 1;
export const MANIFEST_FILE = 'pilot-entry.json';

/** JSON with sorted object keys, so the same inputs always hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The cache key of a piece: sha256 over its recipe inputs. */
export function cacheKey(piece: string, inputs: unknown): string {
  return sha256Hex(canonicalJson({ format: CACHE_FORMAT, piece, inputs }));
}

/** Hash of the builder's own source files, so changing a recipe rebuilds what it made. */
export function sourceHash(...moduleUrls: Array<string | URL>): string {
  const hash = createHash('sha256');
  for (const url of moduleUrls) hash.update(readFileSync(new URL(url))).update('\0');
  return hash.digest('hex');
}

export interface CacheEntry<M> {
  piece: string;
  key: string;
  dir: string;
  manifest: M;
  /** False when the entry came from the cache. */
  built: boolean;
}

export function entryDir(cacheDir: string, piece: string, key: string): string {
  return join(cacheDir, 'pieces', `${piece}-${key.slice(0, 16)}`);
}

export async function readEntry<M>(cacheDir: string, piece: string, key: string): Promise<CacheEntry<M> | undefined> {
  const dir = entryDir(cacheDir, piece, key);
  try {
    const stored = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as { key: string; manifest: M };
    if (stored.key !== key) return undefined;
    return { piece, key, dir, manifest: stored.manifest, built: false };
  } catch {
    return undefined;
  }
}

export interface EnsureEntryOptions<M> {
  cacheDir: string;
  piece: string;
  key: string;
  force?: boolean | undefined;
  /** Fills tmpDir; finalDir is where it will live (for paths that must be absolute). Returns the manifest. */
  build: (tmpDir: string, finalDir: string) => Promise<M>;
}

/** Returns the cached entry for key, or builds it in a temp folder and renames it into place. */
export async function ensureEntry<M>(options: EnsureEntryOptions<M>): Promise<CacheEntry<M>> {
  const { cacheDir, piece, key } = options;
  if (!options.force) {
    const cached = await readEntry<M>(cacheDir, piece, key);
    if (cached) return cached;
  }
  const finalDir = entryDir(cacheDir, piece, key);
  const tmpRoot = join(cacheDir, 'tmp');
  await mkdir(tmpRoot, { recursive: true });
  await mkdir(join(cacheDir, 'pieces'), { recursive: true });
  const tmpDir = await mkdtemp(join(tmpRoot, `${piece}-`));
  try {
    const manifest = await options.build(tmpDir, finalDir);
    // The manifest is written last: an entry without it is never trusted.
    await writeFile(join(tmpDir, MANIFEST_FILE), `${JSON.stringify({ piece, key, builtAt: new Date().toISOString(), manifest }, null, 2)}\n`);
    if (await exists(finalDir)) {
      const trash = await mkdtemp(join(tmpRoot, `old-${piece}-`));
      await rename(finalDir, join(trash, 'entry'));
      await rename(tmpDir, finalDir);
      await rm(trash, { recursive: true, force: true });
    } else {
      await rename(tmpDir, finalDir);
    }
    return { piece, key, dir: finalDir, manifest, built: true };
  } catch (error) {
    await rm(tmpDir, { recursive: true, force: true });
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Who holds a lock: pid, worker thread and boot, so a lock from before a reboot or from a dead process is recognised. */
function lockOwner(): string {
  return `${process.pid} ${threadId} ${currentBootId()}`;
}

function currentBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** True when the recorded owner can no longer be running. */
function ownerGone(owner: string): boolean {
  const [pidText = '', thread = '', boot = ''] = owner.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (boot && boot !== currentBootId()) return true;
  // This very thread never waits on itself: its own calls are queued in-process, so such a lock is a leftover.
  if (pid === process.pid && thread === String(threadId)) return true;
  return !processAlive(pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const inProcess = new Map<string, Promise<unknown>>();

/**
 * Runs fn holding the cache folder's lock: other processes wait (a dead holder's lock is taken over),
 * and calls within this process are queued. Leftover temp folders of dead builds are removed first.
 */
export async function withCacheLock<T>(
  cacheDir: string,
  fn: () => Promise<T>,
  options: { signal?: AbortSignal | undefined; onWait?: (holderPid: number) => void; timeoutMs?: number } = {},
): Promise<T> {
  const previous = inProcess.get(cacheDir) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => lockedRun(cacheDir, fn, options));
  inProcess.set(cacheDir, run);
  try {
    return await run;
  } finally {
    if (inProcess.get(cacheDir) === run) inProcess.delete(cacheDir);
  }
}

async function lockedRun<T>(
  cacheDir: string,
  fn: () => Promise<T>,
  options: { signal?: AbortSignal | undefined; onWait?: (holderPid: number) => void; timeoutMs?: number },
): Promise<T> {
  await mkdir(cacheDir, { recursive: true });
  const lockDir = join(cacheDir, 'lock');
  const ownerFile = join(lockDir, 'pid');
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let announced = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(ownerFile, lockOwner());
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readFile(ownerFile, 'utf8').catch(() => undefined);
    const holder = Number(owner?.split(/\s+/)[0]);
    const lockAge = Date.now() - ((await stat(lockDir).catch(() => undefined))?.mtimeMs ?? Date.now());
    // A lock without an owner file is either being written right now or was left by a crash between the two calls.
    const stale = owner ? ownerGone(owner) : lockAge > 10_000;
    if (stale) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!announced) options.onWait?.(holder);
    announced = true;
    if (Date.now() > deadline) {
      throw new InfraError('E_CACHE_LOCKED', `image cache ${cacheDir} is still locked by pid ${holder}`, {
        hint: `wait for that build, or remove ${lockDir} if no pilot is running`,
      });
    }
    await sleep(250, { signal: options.signal });
  }
  try {
    await rm(join(cacheDir, 'tmp'), { recursive: true, force: true });
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
