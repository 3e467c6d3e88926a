// A modules folder or tarball given with an Image, staged as <entry>/lib/modules/<release> with a host-made modules.dep.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { cacheKey, ensureEntry, sourceHash } from '../images/cache.ts';
import { awaitProcess, runProcess, startProcess } from '../host/process.ts';
import { readModinfo } from '../images/sim-module/modinfo.ts';
import { KERNEL_INPUT_CODES, kernelInputError } from './input-error.ts';

const RECIPE = sourceHash(import.meta.url);
export const STAGED_MODULES_PIECE = 'kut-modules';

/** What marks a folder as one release's module tree. */
async function looksLikeReleaseDir(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.includes('kernel') || names.includes('modules.order') || names.includes('modules.builtin');
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** The release folders under a root given as lib/modules/<X>, lib/modules, or a root holding lib/modules. */
export async function findReleaseDirs(root: string): Promise<Array<{ release: string; dir: string }>> {
  if (await looksLikeReleaseDir(root)) return [{ release: basename(root), dir: root }];
  for (const parent of [join(root, 'lib/modules'), join(root, 'usr/lib/modules'), root]) {
    if (!(await isDir(parent))) continue;
    const found: Array<{ release: string; dir: string }> = [];
    for (const name of (await readdir(parent)).sort()) {
      const dir = join(parent, name);
      if ((await isDir(dir)) && (await looksLikeReleaseDir(dir))) found.push({ release: name, dir });
    }
    if (found.length > 0) return found;
  }
  return [];
}

/** The module tree for `release` under root, or an error that names the releases found and the Image's. */
export async function selectReleaseDir(root: string, release: string, label: string, imageLabel: string): Promise<string> {
  const found = await findReleaseDirs(root);
  if (found.length === 0) {
    throw kernelInputError(KERNEL_INPUT_CODES.noModules, `${label} holds no lib/modules/<release> tree (looked for kernel/ or modules.order)`);
  }
  const match = found.find((f) => f.release === release);
  if (!match) {
    throw kernelInputError(
      KERNEL_INPUT_CODES.modulesRelease,
      `${label} has modules for ${found.map((f) => f.release).join(', ')}, but ${imageLabel} is ${release}`,
      { hint: 'give the modules built with that Image (make modules_install, or the same make run)' },
    );
  }
  return match.dir;
}

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/** A module's vermagic must start with the release: a folder renamed to the right release still holds the wrong modules. */
export async function checkModulesVermagic(releaseDir: string, release: string, label: string): Promise<void> {
  for await (const file of walk(releaseDir)) {
    if (!file.endsWith('.ko')) continue;
    let vermagic: string | undefined;
    try {
      vermagic = readModinfo(await readFile(file)).get('vermagic')?.[0];
    } catch {
      continue;
    }
    if (vermagic === undefined) continue;
    const moduleRelease = vermagic.split(' ')[0]!;
    if (moduleRelease !== release) {
      throw kernelInputError(KERNEL_INPUT_CODES.modulesRelease, `${label}: ${relative(releaseDir, file)} was built for ${moduleRelease} (vermagic), but the Image is ${release}`);
    }
    return;
  }
}

/** sha256 over every regular file's path and bytes: the cache key of a modules folder. */
export async function folderDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const file of walk(dir)) {
    hash.update(`${relative(dir, file)}\0`);
    await pipeline(createReadStream(file), async function* (source) {
      for await (const chunk of source) hash.update(chunk as Buffer);
    });
    hash.update('\0');
  }
  return hash.digest('hex');
}

export async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Unpacks .tar, .tar.gz/.tgz (the tar package) or .tar.xz/.txz (host xz into the tar package). */
export async function extractModulesTarball(tarball: string, dest: string, signal?: AbortSignal): Promise<void> {
  await mkdir(dest, { recursive: true });
  try {
    if (/\.(tar\.xz|txz)$/.test(tarball)) {
      // xz's output streams straight into tar; nothing of it is kept in memory.
      const xz = startProcess('xz', ['-dc', tarball]);
      const done = awaitProcess(xz, { what: `xz -dc ${tarball}`, code: KERNEL_INPUT_CODES.tarball, signal, captureStdout: false });
      const unpacked = pipeline(xz.stdout!, tar.x({ cwd: dest, strict: true })).catch((error: unknown) => {
        // tar refused the stream: xz has no one left to write to.
        xz.killNow();
        throw error;
      });
      await Promise.all([unpacked, done]);
    } else {
      await tar.x({ file: tarball, cwd: dest, strict: true });
    }
  } catch (error) {
    throw kernelInputError(KERNEL_INPUT_CODES.tarball, `modules tarball ${tarball} cannot be unpacked: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
}

export function isTarball(path: string): boolean {
  return /\.(tar|tar\.gz|tgz|tar\.xz|txz)$/.test(path);
}

export interface StagedModules {
  /** Folder holding lib/modules/<release>, with modules.dep from depmod -b. */
  modulesRoot: string;
  key: string;
  built: boolean;
}

export interface StageModulesOptions {
  cacheDir: string;
  release: string;
  /** The Image the modules go with, for messages. */
  imageLabel: string;
  signal?: AbortSignal | undefined;
  force?: boolean | undefined;
}

/** Copies (or unpacks) the given modules into a cache entry and runs depmod there; the user's folder is never written. */
export async function stageModules(source: string, options: StageModulesOptions): Promise<StagedModules> {
  const info = await lstat(source).catch(() => undefined);
  if (!info) throw kernelInputError(KERNEL_INPUT_CODES.noModules, `modules ${source} do not exist`);
  const tarball = info.isFile() && isTarball(source);
  if (!tarball && !info.isDirectory()) {
    throw kernelInputError(KERNEL_INPUT_CODES.noModules, `modules ${source} are neither a folder nor a .tar, .tar.gz or .tar.xz file`);
  }
  let sourceDir = source;
  if (!tarball) {
    sourceDir = await selectReleaseDir(source, options.release, `modules folder ${source}`, options.imageLabel);
    await checkModulesVermagic(sourceDir, options.release, `modules folder ${source}`);
  }
  const digest = tarball ? await fileDigest(source) : await folderDigest(sourceDir);
  const key = cacheKey(STAGED_MODULES_PIECE, { digest, tarball, release: options.release, recipe: RECIPE });
  const entry = await ensureEntry<{ release: string }>({
    cacheDir: options.cacheDir,
    piece: STAGED_MODULES_PIECE,
    key,
    force: options.force,
    build: async (tmp) => {
      const target = join(tmp, 'lib/modules', options.release);
      if (tarball) {
        const unpacked = join(tmp, 'unpacked');
        await extractModulesTarball(source, unpacked, options.signal);
        const dir = await selectReleaseDir(unpacked, options.release, `modules tarball ${source}`, options.imageLabel);
        await checkModulesVermagic(dir, options.release, `modules tarball ${source}`);
        await mkdir(join(tmp, 'lib/modules'), { recursive: true });
        await runProcess('mv', [dir, target], { code: 'E_KERNEL_STAGE', what: `move ${dir}`, signal: options.signal });
        await rm(unpacked, { recursive: true, force: true });
      } else {
        await mkdir(join(tmp, 'lib/modules'), { recursive: true });
        await runProcess('cp', ['-a', '--reflink=auto', sourceDir, target], { code: 'E_KERNEL_STAGE', what: `copy ${sourceDir}`, signal: options.signal });
      }
      await finishModulesTree(tmp, options.release, options.signal);
      return { release: options.release };
    },
  });
  return { modulesRoot: entry.dir, key, built: entry.built };
}

/** Drops the links back into a build tree (useless on the target, dangling in a push) and runs depmod -b. */
export async function finishModulesTree(root: string, release: string, signal?: AbortSignal): Promise<void> {
  const dir = join(root, 'lib/modules', release);
  await rm(join(dir, 'build'), { force: true });
  await rm(join(dir, 'source'), { force: true });
  await runProcess('depmod', ['-b', root, release], { code: 'E_DEPMOD', what: `depmod -b ${root} ${release}`, signal });
}
