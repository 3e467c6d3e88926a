// A developer's kernel build directory: validated (Image, kernel.release, .config), modules_install'd and the SoC module built against it.
import { createHash } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isPilotError } from '../core/errors.ts';
import { runProcess } from '../host/process.ts';
import { cacheKey, ensureEntry, sourceHash } from '../images/cache.ts';
import { buildErrorLines, buildSimModule, simModuleInputsDigest, SIM_MODULE_FILE } from '../images/sim-module/build-module.ts';
import { configFor, describeMissingOptions, missingConfigOptions, parseKernelConfig, type KernelUse } from './config.ts';
import { KERNEL_INPUT_CODES, kernelInputError } from './input-error.ts';
import { readKernelImage, type KernelImageInfo } from './image.ts';
import { finishModulesTree } from './modules.ts';
import { gnuBuildId, parseElfNotes } from './notes.ts';

const RECIPE = sourceHash(import.meta.url);
export const BUILD_DIR_MODULES_PIECE = 'kut-build-modules';
export const BUILD_DIR_SIM_MODULE_PIECE = 'kut-sim-module';
export const IMAGE_IN_BUILD_DIR = 'arch/arm64/boot/Image';

export interface CheckedBuildDir {
  dir: string;
  release: string;
  imagePath: string;
  image: KernelImageInfo;
}

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

/** Everything that can be checked without running make: cheap, so a wrong tree is refused in milliseconds. */
export async function checkBuildDir(dirArg: string, use?: KernelUse): Promise<CheckedBuildDir> {
  const dir = resolve(dirArg);
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw kernelInputError(KERNEL_INPUT_CODES.unknown, `kernel build directory ${dir} does not exist`);
  const imagePath = join(dir, IMAGE_IN_BUILD_DIR);
  if (!(await stat(imagePath).catch(() => undefined))?.isFile()) {
    throw kernelInputError(KERNEL_INPUT_CODES.noImage, `${imagePath} is missing: the build directory has no arm64 Image`, {
      hint: `make -C ${dir} ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- Image modules`,
    });
  }
  const releaseFile = join(dir, 'include/config/kernel.release');
  const release = (await readText(releaseFile))?.trim();
  if (!release) {
    throw kernelInputError(KERNEL_INPUT_CODES.noRelease, `${releaseFile} is missing or empty: ${dir} is not a configured and built kernel tree`, {
      hint: `make -C ${dir} ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- Image modules`,
    });
  }
  const configFile = join(dir, '.config');
  const configText = await readText(configFile);
  if (configText === undefined) throw kernelInputError(KERNEL_INPUT_CODES.noConfig, `${configFile} is missing: pilot cannot check the options the simulation needs`);
  const missing = missingConfigOptions(parseKernelConfig(configText), configFor(use));
  if (missing.length > 0) {
    throw kernelInputError(KERNEL_INPUT_CODES.config, `${configFile} lacks what its runs need: ${missing.map((m) => m.option).join(', ')}`, {
      evidence: describeMissingOptions(missing),
      hint: `scripts/config --file ${configFile} ${missing.map((m) => `--set-val ${m.option} ${m.wanted[0]}`).join(' ')} && make olddefconfig`,
    });
  }
  const image = await readKernelImage(imagePath);
  if (image.release !== release) {
    throw kernelInputError(KERNEL_INPUT_CODES.releaseMismatch, `${imagePath} is ${image.release} but ${releaseFile} says ${release}: the Image is stale`, {
      hint: 'rebuild the Image: make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- Image modules',
    });
  }
  return { dir, release, imagePath, image };
}

/** sha256 over the built modules modules.order lists: what modules_install would copy. */
async function builtModulesDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const order = await readText(join(dir, 'modules.order'));
  if (order === undefined) {
    throw kernelInputError(KERNEL_INPUT_CODES.noModules, `${join(dir, 'modules.order')} is missing: run make modules (CONFIG_MODULES=y is needed)`);
  }
  for (const line of order.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const ko = join(dir, line.replace(/\.o$/, '.ko'));
    const bytes = await readFile(ko).catch(() => undefined);
    if (!bytes) throw kernelInputError(KERNEL_INPUT_CODES.noModules, `${ko} (in modules.order) is missing: run make modules`);
    hash.update(`${line}\0`).update(bytes).update('\0');
  }
  return hash.digest('hex');
}

async function runMake(dir: string, args: string[], what: string, signal: AbortSignal | undefined): Promise<void> {
  await runProcess('make', ['-C', dir, 'ARCH=arm64', 'CROSS_COMPILE=aarch64-linux-gnu-', ...args], {
    what,
    code: KERNEL_INPUT_CODES.modulesInstall,
    signal,
    timeoutMs: 20 * 60_000,
    // The tree is the user's: make failing in it is bad input, quoted with the lines that say why.
    failure: ({ output, how }) => {
      const errors = buildErrorLines(output);
      // sign-file names the missing key on a line the error filter drops; a Debian-derived .config hits this.
      const signing = output.split('\n').find((line) => /sign-file|signing_key/.test(line));
      return kernelInputError(KERNEL_INPUT_CODES.modulesInstall, `${what} in ${dir} failed: ${errors[0] ?? `make ${how}`}`, {
        evidence: [...(signing ? [signing.trim()] : []), ...(errors.length ? errors : output.split('\n').filter(Boolean).slice(-12))],
        ...(signing ? { hint: 'module signing failed: provide the key CONFIG_MODULE_SIG_KEY names, or scripts/config --disable MODULE_SIG_ALL && make olddefconfig' } : {}),
      });
    },
  });
}

export interface BuildDirArtifacts {
  modulesRoot: string;
  simModulePath: string;
  buildId: string | undefined;
}

export interface BuildDirOptions {
  cacheDir: string;
  signal?: AbortSignal | undefined;
  force?: boolean | undefined;
  simModuleDefines?: readonly string[] | undefined;
  simModuleSourceDir?: string | undefined;
}

/** The GNU build-id of vmlinux from its .notes, when the tree still has vmlinux. */
export async function vmlinuxBuildId(dir: string): Promise<string | undefined> {
  const elf = await readFile(join(dir, 'vmlinux')).catch(() => undefined);
  if (!elf || elf.length < 64 || elf.toString('latin1', 0, 4) !== '\x7fELF' || elf[4] !== 2 || elf[5] !== 1) return undefined;
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  if (shoff + shnum * shentsize > elf.length) return undefined;
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    // SHT_NOTE sections: .notes in vmlinux (and .note.gnu.build-id in other links).
    if (elf.readUInt32LE(at + 4) !== 7) continue;
    const offset = Number(elf.readBigUInt64LE(at + 0x18));
    const size = Number(elf.readBigUInt64LE(at + 0x20));
    const id = gnuBuildId(parseElfNotes(elf.subarray(offset, offset + size)));
    if (id) return id;
  }
  return undefined;
}

/** modules_install into a cache entry (keyed by the Image and the built modules), then the SoC module against the same tree. */
export async function buildDirArtifacts(checked: CheckedBuildDir, options: BuildDirOptions): Promise<BuildDirArtifacts> {
  const { dir, release } = checked;
  const modulesKey = cacheKey(BUILD_DIR_MODULES_PIECE, { image: checked.image.sha256, modules: await builtModulesDigest(dir), release, recipe: RECIPE });
  const modules = await ensureEntry<{ release: string }>({
    cacheDir: options.cacheDir,
    piece: BUILD_DIR_MODULES_PIECE,
    key: modulesKey,
    force: options.force,
    build: async (tmp) => {
      // Stripped: the target gets them over SSH, and debug info is most of their size.
      await runMake(dir, [`INSTALL_MOD_PATH=${tmp}`, 'INSTALL_MOD_STRIP=1', 'modules_install'], 'make modules_install', options.signal);
      await finishModulesTree(tmp, release, options.signal);
      return { release };
    },
  });

  const defines = [...(options.simModuleDefines ?? [])];
  const symvers = await readFile(join(dir, 'Module.symvers')).catch(() => Buffer.alloc(0));
  const simKey = cacheKey(BUILD_DIR_SIM_MODULE_PIECE, {
    image: checked.image.sha256,
    symvers: createHash('sha256').update(symvers).digest('hex'),
    sources: await simModuleInputsDigest(defines, options.simModuleSourceDir),
    recipe: RECIPE,
  });
  const sim = await ensureEntry<{ file: string }>({
    cacheDir: options.cacheDir,
    piece: BUILD_DIR_SIM_MODULE_PIECE,
    key: simKey,
    force: options.force,
    build: async (tmp) => {
      try {
        await buildSimModule({ buildDir: dir, release, outDir: tmp, defines, ...(options.simModuleSourceDir ? { sourceDir: options.simModuleSourceDir } : {}), ...(options.signal ? { signal: options.signal } : {}) });
      } catch (error) {
        // The tree is the user's: a module that does not build against it is bad input, not a broken harness.
        if (isPilotError(error) && error.failureClass === 'error' && error.code !== 'E_HOST_TOOL_MISSING') {
          throw kernelInputError(KERNEL_INPUT_CODES.moduleBuild, `${SIM_MODULE_FILE} does not build against ${dir}: ${error.message}`, { evidence: error.evidence, cause: error });
        }
        throw error;
      }
      await rm(join(tmp, 'src'), { recursive: true, force: true });
      return { file: SIM_MODULE_FILE };
    },
  });
  return {
    modulesRoot: modules.dir,
    simModulePath: join(sim.dir, sim.manifest.file),
    buildId: checked.image.buildId ?? (await vmlinuxBuildId(dir)),
  };
}
