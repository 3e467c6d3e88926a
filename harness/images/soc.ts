// The simulated SoC for one kernel: qcom_pas_sim.ko built against its headers, and the firmware set, as two cache entries.
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError } from '../core/errors.ts';
import { cacheKey, ensureEntry, sha256Hex, sourceHash } from './cache.ts';
import type { BuildContext } from './context.ts';
import { generateFirmware } from './firmware/generate.ts';
import { DEFAULT_RECIPE_PATH } from './firmware/recipe.ts';
import type { KernelArtifact } from './image-set.ts';
import { SIM_MODULE_FILE, SIM_MODULE_SOURCE_DIR, buildSimModule, simModuleInputsDigest } from './sim-module/build-module.ts';

export const SOC_MODULE_PIECE = 'soc-module';
export const SOC_FIRMWARE_PIECE = 'soc-firmware';
/** Where the module sits in the guest, relative to lib/modules/<release>; /init loads it from there. */
export const SIM_MODULE_GUEST_PATH = `extra/${SIM_MODULE_FILE}`;
/** Host packages whose versions go into the module's key: a new cross compiler makes a different module. */
export const SOC_HOST_PACKAGES = ['gcc-aarch64-linux-gnu', 'binutils-aarch64-linux-gnu'] as const;

const FIRMWARE_DIR = 'firmware';
const GENERATOR_DIR = fileURLToPath(new URL('./firmware/', import.meta.url));
const MODULE_RECIPE = sourceHash(import.meta.url, new URL('./sim-module/build-module.ts', import.meta.url), new URL('./sim-module/modinfo.ts', import.meta.url));

export interface SocInputs {
  kernel: KernelArtifact;
  /** Cache key of the kernel-headers piece the module is built against. */
  headersKey: string;
  /** Preprocessor symbols for a variant build, e.g. SIM_MODULE_DEFINES.skipCarveoutMap. */
  defines?: readonly string[] | undefined;
  /** The module's sources; defaults to images/qcom-pas-sim (tests pass an edited copy). */
  sourceDir?: string | undefined;
  /** The firmware recipe; defaults to images/firmware/recipe.yaml. */
  recipePath?: string | undefined;
}

export interface SocFirmwareImage {
  /** Path under /lib/firmware, e.g. qcom/sa8775p/adsp.mbn. */
  name: string;
  processor: string;
  variant: string;
  sha256: string;
  bytes: number;
}

export interface SocBuild {
  modulePath: string;
  /** The folder installed as /lib/firmware in the guest. */
  firmwareDir: string;
  /** One key for module and firmware together: what the initramfs depends on. */
  key: string;
  defines: string[];
  module: { key: string; built: boolean };
  firmware: { key: string; built: boolean; images: SocFirmwareImage[] };
}

interface ModuleManifest {
  file: string;
  release: string;
  defines: string[];
  bytes: number;
}

interface FirmwareManifest {
  dir: string;
  formatVersion: number;
  images: SocFirmwareImage[];
}

/** Hash of the firmware generator's code (every .ts in harness/images/firmware), so a generator change regenerates. */
export async function firmwareGeneratorDigest(dir = GENERATOR_DIR): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.ts')).sort()) {
    hash.update(`${file}\0`).update(await readFile(join(dir, file))).update('\0');
  }
  return hash.digest('hex');
}

export async function socModuleKey(ctx: BuildContext, inputs: SocInputs): Promise<string> {
  return cacheKey(SOC_MODULE_PIECE, {
    headers: inputs.headersKey,
    sources: await simModuleInputsDigest(inputs.defines ?? [], inputs.sourceDir ?? SIM_MODULE_SOURCE_DIR),
    compiler: SOC_HOST_PACKAGES.map((name) => `${name} ${ctx.hostVersions.get(name) ?? 'unknown'}`),
    recipe: MODULE_RECIPE,
  });
}

export async function socFirmwareKey(recipePath = DEFAULT_RECIPE_PATH): Promise<string> {
  let recipe: Buffer;
  try {
    recipe = await readFile(recipePath);
  } catch (error) {
    throw new InfraError('E_FIRMWARE_RECIPE', `cannot read the firmware recipe ${recipePath}`, { cause: error });
  }
  return cacheKey(SOC_FIRMWARE_PIECE, { recipe: sha256Hex(recipe), generator: await firmwareGeneratorDigest() });
}

async function buildModule(ctx: BuildContext, inputs: SocInputs, buildDir: string) {
  const defines = [...(inputs.defines ?? [])];
  const key = await socModuleKey(ctx, inputs);
  const entry = await ensureEntry<ModuleManifest>({
    cacheDir: ctx.cacheDir,
    piece: SOC_MODULE_PIECE,
    key,
    force: ctx.force,
    build: async (tmp) => {
      ctx.progress(SOC_MODULE_PIECE, 'build', `make ${SIM_MODULE_FILE} for ${inputs.kernel.release}${defines.length ? ` with ${defines.join(' ')}` : ''}`);
      const ko = await buildSimModule({
        buildDir,
        release: inputs.kernel.release,
        outDir: tmp,
        defines,
        sourceDir: inputs.sourceDir,
        signal: ctx.signal,
      });
      // The objects only fed the .ko.
      await rm(join(tmp, 'src'), { recursive: true, force: true });
      const bytes = (await readFile(ko)).length;
      return { file: SIM_MODULE_FILE, release: inputs.kernel.release, defines, bytes };
    },
  });
  const modulePath = join(entry.dir, entry.manifest.file);
  ctx.progress(SOC_MODULE_PIECE, entry.built ? 'done' : 'cached', `${(entry.manifest.bytes / 1e3).toFixed(0)} kB → ${modulePath}`);
  return { key, modulePath, built: entry.built };
}

async function buildFirmware(ctx: BuildContext, recipePath: string | undefined) {
  const key = await socFirmwareKey(recipePath);
  const entry = await ensureEntry<FirmwareManifest>({
    cacheDir: ctx.cacheDir,
    piece: SOC_FIRMWARE_PIECE,
    key,
    force: ctx.force,
    build: async (tmp) => {
      ctx.progress(SOC_FIRMWARE_PIECE, 'build', `generate images from ${recipePath ?? DEFAULT_RECIPE_PATH}`);
      const set = await generateFirmware(join(tmp, FIRMWARE_DIR), recipePath ? { recipePath } : {});
      const images = set.images.map(({ name, processor, variant, sha256, bytes }) => ({ name, processor, variant, sha256, bytes }));
      return { dir: FIRMWARE_DIR, formatVersion: set.formatVersion, images };
    },
  });
  const firmwareDir = join(entry.dir, entry.manifest.dir);
  ctx.progress(SOC_FIRMWARE_PIECE, entry.built ? 'done' : 'cached', `${entry.manifest.images.length} images → ${firmwareDir}`);
  return { key, firmwareDir, built: entry.built, images: entry.manifest.images };
}

/** Builds (or finds cached) the simulated SoC for the kernel being built. */
export async function buildSoc(ctx: BuildContext, inputs: SocInputs): Promise<SocBuild> {
  const buildDir = inputs.kernel.buildDir;
  if (!buildDir) {
    throw new InfraError('E_SOC_NO_HEADERS', `kernel ${inputs.kernel.release} has no headers tree to build ${SIM_MODULE_FILE} against`, {
      hint: 'build the images with the SoC left out (soc: false), or give the kernel artifact its buildDir',
    });
  }
  const module = await buildModule(ctx, inputs, buildDir);
  const firmware = await buildFirmware(ctx, inputs.recipePath);
  return {
    modulePath: module.modulePath,
    firmwareDir: firmware.firmwareDir,
    key: cacheKey('soc', { module: module.key, firmware: firmware.key }),
    defines: [...(inputs.defines ?? [])],
    module: { key: module.key, built: module.built },
    firmware: { key: firmware.key, built: firmware.built, images: firmware.images },
  };
}
