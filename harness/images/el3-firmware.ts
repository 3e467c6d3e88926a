// The EL3 firmware (images/el3-firmware) as a cache entry: `make` with Debian's cross compiler, keyed by its sources.
import { createHash } from 'node:crypto';
import { copyFile, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheKey, ensureEntry, sourceHash } from './cache.ts';
import type { BuildContext } from './context.ts';
import { SOC_HOST_PACKAGES } from './soc.ts';
import { runProcess } from '../host/process.ts';

export const EL3_FIRMWARE_PIECE = 'el3-firmware';
export const EL3_FIRMWARE_SOURCE_DIR = fileURLToPath(new URL('../../images/el3-firmware/', import.meta.url));
const FIRMWARE_FILE = 'el3.bin';
const RECIPE = sourceHash(import.meta.url);
/** What the Makefile compiles and links; the selftest and DT fragments beside them do not change el3.bin. */
const SOURCE_FILE = /\.(c|h|S|ld)$|^Makefile$/;

export interface El3FirmwareBuild {
  /** The flat image QEMU runs with -bios. */
  path: string;
  key: string;
  built: boolean;
  bytes: number;
}

interface El3Manifest {
  file: string;
  bytes: number;
}

/** Hash of every file the firmware is built from (names and contents). */
export async function el3SourcesDigest(dir = EL3_FIRMWARE_SOURCE_DIR): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(dir)).filter((name) => SOURCE_FILE.test(name)).sort()) {
    hash.update(`${file}\0`).update(await readFile(join(dir, file))).update('\0');
  }
  return hash.digest('hex');
}

export async function buildEl3Firmware(ctx: BuildContext, sourceDir = EL3_FIRMWARE_SOURCE_DIR): Promise<El3FirmwareBuild> {
  const key = cacheKey(EL3_FIRMWARE_PIECE, {
    sources: await el3SourcesDigest(sourceDir),
    // A new cross compiler makes different bytes.
    compiler: SOC_HOST_PACKAGES.map((name) => `${name} ${ctx.hostVersions.get(name) ?? 'unknown'}`),
    recipe: RECIPE,
  });
  const entry = await ensureEntry<El3Manifest>({
    cacheDir: ctx.cacheDir,
    piece: EL3_FIRMWARE_PIECE,
    key,
    force: ctx.force,
    build: async (tmp) => {
      ctx.progress(EL3_FIRMWARE_PIECE, 'build', `make -C ${sourceDir} O=<entry>`);
      // O= keeps the objects out of the source tree; the entry keeps only the image.
      await runProcess('make', ['-s', '-C', sourceDir, `O=${join(tmp, 'obj')}`], { code: 'E_EL3_FIRMWARE_BUILD', what: 'build the EL3 firmware', signal: ctx.signal });
      await copyFile(join(tmp, 'obj', FIRMWARE_FILE), join(tmp, FIRMWARE_FILE));
      await rm(join(tmp, 'obj'), { recursive: true, force: true });
      return { file: FIRMWARE_FILE, bytes: (await stat(join(tmp, FIRMWARE_FILE))).size };
    },
  });
  const path = join(entry.dir, entry.manifest.file);
  ctx.progress(EL3_FIRMWARE_PIECE, entry.built ? 'done' : 'cached', `${entry.manifest.bytes} bytes → ${path}`);
  return { path, key, built: entry.built, bytes: entry.manifest.bytes };
}
