// resolveKernelInput(): "a kernel under test" (build dir, Image + modules, Debian package or .deb) → validated artifacts, before anything boots.
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { cacheKey, ensureEntry, sha256Hex, withCacheLock } from '../images/cache.ts';
import { defaultCacheDir } from '../images/cache-dir.ts';
import { progressSink, type ImageProgress } from '../images/progress.ts';
import { buildSimModule, simModuleInputsDigest, SIM_MODULE_FILE } from '../images/sim-module/build-module.ts';
import { buildDirArtifacts, checkBuildDir, IMAGE_IN_BUILD_DIR } from './build-dir.ts';
import { resolveDebFile, resolveDebianPackage, type DebianKernel } from './debian.ts';
import { readKernelImage } from './image.ts';
import { KERNEL_INPUT_CODES, kernelInputError } from './input-error.ts';
import { stageModules } from './modules.ts';
import type { KernelSpec } from '../model/kernel-spec.ts';
import type { KernelUse } from './config.ts';

export { KERNEL_INPUT_CODES } from './input-error.ts';
export { buildIdFromKernelNotes, buildIdFromKernelNotesHex, parseElfNotes } from './notes.ts';


export interface KernelUnderTest {
  /** `uname -r` the guest must report. */
  release: string;
  /** Uncompressed arm64 Image (an Image.gz given is stored gunzipped in the cache). */
  imagePath: string;
  imageSha256: string;
  /** Folder holding lib/modules/<release> with modules.dep made by depmod -b; the simulation module is not in it. */
  modulesRoot: string;
  /** qcom_pas_sim.ko built for this kernel (guest path: /lib/modules/<release>/extra/qcom_pas_sim.ko). */
  simModulePath: string;
  /** GNU build-id of vmlinux as hex; compare with buildIdFromKernelNotes(`/sys/kernel/notes`). Undefined when not found. */
  buildId: string | undefined;
  /** The "Linux version …" banner inside the Image, without its newline: the guest's /proc/version must equal it. */
  versionString: string;
  source: 'build-dir' | 'image+modules' | 'debian';
  /** Kernel build or headers tree the simulation module was built against, when there is one. */
  buildDir: string | undefined;
}

export interface ResolveKernelInputOptions {
  cacheDir?: string;
  signal?: AbortSignal;
  force?: boolean;
  onProgress?: (event: ImageProgress) => void;
  /** Variant of the simulated-SoC module, e.g. SIM_MODULE_DEFINES.skipCarveoutMap. */
  simModuleDefines?: readonly string[];
  simModuleSourceDir?: string;
  /** The profiles and deploys the kernel is for, so a build tree is asked only for the options those need. */
  use?: KernelUse;
}

/**
 * What `--kernel ARG` means: an existing folder is a build dir, a .deb a package file, a linux-image-* name that is no
 * path a Debian package. An Image file needs its modules (`modules`), which a single argument cannot carry.
 */
export async function kernelSpecFromArgument(arg: string, modules?: string): Promise<KernelSpec> {
  const info = await stat(arg).catch(() => undefined);
  if (info?.isDirectory()) return { kind: 'build-dir', dir: resolve(arg) };
  if (info?.isFile() && arg.endsWith('.deb')) return { kind: 'deb', path: resolve(arg) };
  if (info?.isFile()) {
    if (modules === undefined) {
      throw kernelInputError(KERNEL_INPUT_CODES.noModules, `${arg} is a file: an Image needs its modules folder or tarball too`, {
        hint: 'give the kernel build directory instead, or the modules beside the Image',
      });
    }
    return { kind: 'image+modules', image: resolve(arg), modules: resolve(modules) };
  }
  if (/^linux-image-[a-z0-9.+-]*arm64$/.test(arg)) return { kind: 'debian-package', name: arg };
  throw kernelInputError(KERNEL_INPUT_CODES.unknown, `kernel ${arg} is neither a build directory, an Image, a .deb nor a linux-image-*-arm64 package name`);
}

export async function resolveKernelInput(spec: KernelSpec, options: ResolveKernelInputOptions = {}): Promise<KernelUnderTest> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const progress = progressSink(options.onProgress);
  const common = { cacheDir, signal: options.signal, force: options.force, simModuleDefines: options.simModuleDefines, simModuleSourceDir: options.simModuleSourceDir };

  if (spec.kind === 'build-dir') {
    // Validation first and outside the cache lock: a wrong tree is refused at once.
    const checked = await checkBuildDir(spec.dir, options.use);
    const built = await withCacheLock(cacheDir, () => buildDirArtifacts(checked, common), { signal: options.signal });
    return {
      release: checked.release,
      imagePath: checked.imagePath,
      imageSha256: checked.image.sha256,
      modulesRoot: built.modulesRoot,
      simModulePath: built.simModulePath,
      buildId: built.buildId,
      versionString: checked.image.versionString,
      source: 'build-dir',
      buildDir: checked.dir,
    };
  }

  if (spec.kind === 'image+modules') {
    const image = await readKernelImage(spec.image);
    return withCacheLock(
      cacheDir,
      async () => {
        const staged = await stageModules(spec.modules, { cacheDir, release: image.release, imageLabel: `Image ${spec.image}`, signal: options.signal, force: options.force });
        const imagePath = image.gzipped ? await storeGunzipped(cacheDir, image.image, image.sha256) : resolve(spec.image);
        const { simModulePath, buildDir } = await simModuleForImage(spec, image.release, staged.modulesRoot, common);
        return {
          release: image.release,
          imagePath,
          imageSha256: image.sha256,
          modulesRoot: staged.modulesRoot,
          simModulePath,
          buildId: image.buildId,
          versionString: image.versionString,
          source: 'image+modules' as const,
          buildDir,
        };
      },
      { signal: options.signal },
    );
  }

  const debian: DebianKernel = await withCacheLock(
    cacheDir,
    () => (spec.kind === 'deb' ? resolveDebFile(spec.path, spec.headers, { ...common, progress }) : resolveDebianPackage(spec.name, { ...common, progress })),
    { signal: options.signal },
  );
  const image = await readKernelImage(debian.artifact.imagePath);
  if (image.release !== debian.artifact.release) {
    throw kernelInputError(KERNEL_INPUT_CODES.modulesRelease, `${debian.artifact.imagePath} is ${image.release}, but its package's modules are ${debian.artifact.release}`);
  }
  return {
    release: image.release,
    imagePath: debian.artifact.imagePath,
    imageSha256: image.sha256,
    modulesRoot: debian.artifact.modulesRoot,
    simModulePath: debian.simModulePath,
    buildId: image.buildId,
    versionString: image.versionString,
    source: 'debian',
    buildDir: debian.artifact.buildDir,
  };
}

async function storeGunzipped(cacheDir: string, image: Buffer, sha256: string): Promise<string> {
  const entry = await ensureEntry<{ file: string }>({
    cacheDir,
    piece: 'kut-image',
    key: cacheKey('kut-image', { sha256 }),
    build: async (tmp) => {
      await writeFile(join(tmp, 'Image'), image);
      return { file: 'Image' };
    },
  });
  return join(entry.dir, entry.manifest.file);
}

/** An Image + modules has no tree of its own: a build tree given, else the modules' build link, builds the module. */
async function simModuleForImage(
  spec: Extract<KernelSpec, { kind: 'image+modules' }>,
  release: string,
  modulesRoot: string,
  common: { cacheDir: string; signal?: AbortSignal | undefined; simModuleDefines?: readonly string[] | undefined; simModuleSourceDir?: string | undefined },
): Promise<{ simModulePath: string; buildDir: string }> {
  const candidates = [spec.buildDir, join(spec.modules, 'build'), join(spec.modules, 'lib/modules', release, 'build')].filter((d): d is string => !!d);
  for (const dir of candidates) {
    if (!(await stat(join(dir, 'include/generated/utsrelease.h')).catch(() => undefined))) continue;
    const buildDir = resolve(dir);
    const defines = [...(common.simModuleDefines ?? [])];
    const symvers = await readFile(join(buildDir, 'Module.symvers')).catch(() => Buffer.alloc(0));
    const key = cacheKey('kut-sim-module', { modulesRoot, buildDir, symvers: sha256Hex(symvers), sources: await simModuleInputsDigest(defines, common.simModuleSourceDir) });
    const entry = await ensureEntry<{ file: string }>({
      cacheDir: common.cacheDir,
      piece: 'kut-sim-module',
      key,
      build: async (tmp) => {
        await buildSimModule({ buildDir, release, outDir: tmp, defines, ...(common.simModuleSourceDir ? { sourceDir: common.simModuleSourceDir } : {}), ...(common.signal ? { signal: common.signal } : {}) });
        await rm(join(tmp, 'src'), { recursive: true, force: true });
        return { file: SIM_MODULE_FILE };
      },
    });
    const path = join(entry.dir, entry.manifest.file);
    return { simModulePath: path, buildDir: resolve(dir) };
  }
  throw kernelInputError(KERNEL_INPUT_CODES.noBuildTree, `no kernel build tree for ${release} to build ${SIM_MODULE_FILE} against (tried ${candidates.join(', ')})`, {
    hint: `give the build directory (${IMAGE_IN_BUILD_DIR} and modules come from it), or buildDir with the Image and modules`,
  });
}
