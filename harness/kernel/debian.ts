// Debian kernels as a kernel under test: a package name through the image pipeline, or a .deb file given by path.
import { copyFile, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { installedPackageVersions } from '../host/check.ts';
import { Apt, GUEST_ARCH, debFileName } from '../images/apt.ts';
import { cacheKey, ensureEntry, sourceHash } from '../images/cache.ts';
import type { BuildContext } from '../images/context.ts';
import { extractDeb } from '../images/deb.ts';
import type { KernelArtifact } from '../images/image-set.ts';
import { buildDebianKernel, kernelAptRoots } from '../images/kernel.ts';
import type { ProgressSink } from '../images/progress.ts';
import { SOC_HOST_PACKAGES, buildSoc } from '../images/soc.ts';
import { runProcess } from '../host/process.ts';
import { KERNEL_INPUT_CODES, kernelInputError } from './input-error.ts';
import { fileDigest, finishModulesTree, findReleaseDirs } from './modules.ts';

const RECIPE = sourceHash(import.meta.url);
export const DEB_KERNEL_PIECE = 'kut-deb-kernel';
export const DEB_HEADERS_PIECE = 'kut-deb-headers';

export interface DebianOptions {
  cacheDir: string;
  signal?: AbortSignal | undefined;
  force?: boolean | undefined;
  progress: ProgressSink;
  simModuleDefines?: readonly string[] | undefined;
  simModuleSourceDir?: string | undefined;
}

export interface DebianKernel {
  artifact: KernelArtifact;
  simModulePath: string;
}

async function buildContext(packageNames: string[], options: DebianOptions): Promise<BuildContext> {
  const apt = new Apt({ stateDir: join(options.cacheDir, 'apt'), signal: options.signal });
  const [graph, hostVersions] = await Promise.all([
    apt.dependencyGraph(packageNames.flatMap(kernelAptRoots)),
    installedPackageVersions(['kmod', 'linux-kbuild-*', ...SOC_HOST_PACKAGES]),
  ]);
  return { cacheDir: options.cacheDir, debDir: join(options.cacheDir, 'debs'), apt, graph, signal: options.signal, force: options.force ?? false, progress: options.progress, hostVersions };
}

async function withSimModule(ctx: BuildContext, artifact: KernelArtifact, headersKey: string, options: DebianOptions): Promise<DebianKernel> {
  const soc = await buildSoc(ctx, { kernel: artifact, headersKey, defines: options.simModuleDefines, sourceDir: options.simModuleSourceDir });
  return { artifact, simModulePath: soc.modulePath };
}

/** `linux-image-rt-arm64` or `linux-image-6.1.0-56-rt-arm64`: the image pipeline downloads, depmods and fixes the headers. */
export async function resolveDebianPackage(packageName: string, options: DebianOptions): Promise<DebianKernel> {
  if (!/^linux-image-[a-z0-9.+-]+$/.test(packageName) || !packageName.endsWith('arm64')) {
    throw kernelInputError(KERNEL_INPUT_CODES.notImageDeb, `${packageName} is not a linux-image-*-arm64 package name`);
  }
  const ctx = await buildContext([packageName], options);
  const kernel = await buildDebianKernel(packageName, ctx);
  return withSimModule(ctx, kernel.artifact, kernel.keys.headers, options);
}

interface DebControl {
  Package: string;
  Version: string;
  Architecture: string;
}

export async function readDebControl(debPath: string, signal?: AbortSignal): Promise<DebControl> {
  const { stdout } = await runProcess('dpkg-deb', ['-f', debPath, 'Package', 'Version', 'Architecture'], {
    code: KERNEL_INPUT_CODES.notImageDeb,
    what: `dpkg-deb -f ${debPath}`,
    signal,
  }).catch((error: unknown) => {
    throw kernelInputError(KERNEL_INPUT_CODES.notImageDeb, `${debPath} is not a readable Debian package`, { cause: error });
  });
  const fields = new Map(stdout.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()] as const));
  return { Package: fields.get('Package') ?? '', Version: fields.get('Version') ?? '', Architecture: fields.get('Architecture') ?? '' };
}

/**
 * A .deb path. When apt's candidate is the very same file (same sha256) it goes through the package-name path, headers
 * from apt; otherwise (a `make bindeb-pkg` build) its headers .deb must be given or lie beside it.
 */
export async function resolveDebFile(debArg: string, headersDebs: readonly string[] | undefined, options: DebianOptions): Promise<DebianKernel> {
  const debPath = resolve(debArg);
  if (!(await stat(debPath).catch(() => undefined))?.isFile()) throw kernelInputError(KERNEL_INPUT_CODES.unknown, `${debPath} does not exist`);
  const control = await readDebControl(debPath, options.signal);
  if (!control.Package.startsWith('linux-image-') || control.Architecture !== GUEST_ARCH) {
    throw kernelInputError(KERNEL_INPUT_CODES.notImageDeb, `${debPath} is ${control.Package || 'no package'} (${control.Architecture || 'no architecture'}), not an arm64 linux-image package`);
  }
  const sha256 = await fileDigest(debPath);
  const apt = new Apt({ stateDir: join(options.cacheDir, 'apt'), signal: options.signal });
  const candidate = await apt.show([`${control.Package}:${GUEST_ARCH}`]).then((m) => [...m.values()][0], () => undefined);
  if (candidate && candidate.sha256 === sha256 && headersDebs === undefined) {
    // Seeding the verified .deb cache saves the download; its name and size are what the cache trusts.
    const debDir = join(options.cacheDir, 'debs');
    await mkdir(debDir, { recursive: true });
    const target = join(debDir, debFileName(candidate));
    if (!(await stat(target).catch(() => undefined))) await copyFile(debPath, target);
    return resolveDebianPackage(control.Package, options);
  }
  return resolveCustomDeb(debPath, sha256, control, headersDebs ?? (await headersBeside(debPath, control)), options);
}

/** linux-headers-<release>_<version>_arm64.deb (and a -common one of the same version) next to the image .deb. */
async function headersBeside(debPath: string, control: DebControl): Promise<string[]> {
  const release = control.Package.replace(/^linux-image-/, '').replace(/-unsigned$/, '');
  const version = control.Version.replace(/:/g, '%3a');
  const names = await readdir(dirname(debPath));
  return names
    .filter((n) => n.startsWith(`linux-headers-${release.replace(/-arm64$/, '')}`) && n.includes(`_${version}_`) && n.endsWith('.deb'))
    .map((n) => join(dirname(debPath), n));
}

async function resolveCustomDeb(debPath: string, sha256: string, control: DebControl, headersDebs: readonly string[], options: DebianOptions): Promise<DebianKernel> {
  const kernel = await ensureEntry<{ release: string; image: string }>({
    cacheDir: options.cacheDir,
    piece: DEB_KERNEL_PIECE,
    key: cacheKey(DEB_KERNEL_PIECE, { sha256, recipe: RECIPE }),
    force: options.force,
    build: async (tmp) => {
      await extractDeb(debPath, tmp, options.signal);
      const releases = await findReleaseDirs(tmp);
      const release = releases[0]?.release;
      const images = await readdir(join(tmp, 'boot')).catch(() => [] as string[]);
      const image = images.find((n) => n === `vmlinuz-${release}` || n === `vmlinux-${release}`);
      if (releases.length !== 1 || !release || !image) {
        throw kernelInputError(KERNEL_INPUT_CODES.noImage, `${debPath} holds no boot/vmlinuz-<release> with one lib/modules/<release> (found ${releases.map((r) => r.release).join(', ') || 'no modules'}; boot/ has ${images.join(', ') || 'nothing'})`);
      }
      await finishModulesTree(tmp, release, options.signal);
      await rm(join(tmp, 'usr/share/doc'), { recursive: true, force: true });
      return { release, image: `boot/${image}` };
    },
  });
  const release = kernel.manifest.release;
  if (headersDebs.length === 0) {
    throw kernelInputError(KERNEL_INPUT_CODES.noHeaders, `${debPath} (${release}) is not apt's ${control.Package} and no linux-headers-${release} .deb lies beside it`, {
      hint: 'give its headers .deb too (make bindeb-pkg writes linux-headers-<release>_<version>_arm64.deb)',
    });
  }
  const headersKey = cacheKey(DEB_HEADERS_PIECE, { debs: await Promise.all(headersDebs.map(fileDigest)), recipe: RECIPE });
  const headers = await ensureEntry<{ buildDir: string }>({
    cacheDir: options.cacheDir,
    piece: DEB_HEADERS_PIECE,
    key: headersKey,
    force: options.force,
    build: async (tmp, finalDir) => {
      for (const deb of headersDebs) await extractDeb(deb, tmp, options.signal);
      const buildDir = `usr/src/linux-headers-${release}`;
      if (!(await stat(join(tmp, buildDir, 'Makefile')).catch(() => undefined))) {
        throw kernelInputError(KERNEL_INPUT_CODES.noHeaders, `${headersDebs.map((d) => basename(d)).join(', ')} hold no ${buildDir}/Makefile`);
      }
      await fixDebianHeaders(tmp, finalDir, buildDir);
      await rm(join(tmp, 'lib'), { recursive: true, force: true });
      return { buildDir };
    },
  });
  const artifact: KernelArtifact = {
    release,
    packageVersion: control.Version,
    imagePath: join(kernel.dir, kernel.manifest.image),
    modulesRoot: kernel.dir,
    buildDir: join(headers.dir, headers.manifest.buildDir),
  };
  const ctx: BuildContext = {
    cacheDir: options.cacheDir,
    debDir: join(options.cacheDir, 'debs'),
    apt: new Apt({ stateDir: join(options.cacheDir, 'apt'), signal: options.signal }),
    graph: new Map(),
    signal: options.signal,
    force: options.force ?? false,
    progress: options.progress,
    hostVersions: await installedPackageVersions([...SOC_HOST_PACKAGES]),
  };
  return withSimModule(ctx, artifact, headersKey, options);
}

/** Debian's split headers: the -common tree is included by absolute path and scripts link to linux-kbuild; point both where they are. */
async function fixDebianHeaders(tmp: string, finalDir: string, buildDir: string): Promise<void> {
  const makefile = join(tmp, buildDir, 'Makefile');
  const text = await readFile(makefile, 'utf8');
  const common = /\/usr\/src\/linux-headers-[^\s/]*-common[^\s/]*/.exec(text)?.[0];
  if (common) await writeFile(makefile, text.split(common).join(join(finalDir, common)));
  const kbuild = /linux-kbuild-[0-9.]+/.exec(text)?.[0] ?? (await readdir('/usr/lib').then((n) => n.find((x) => x.startsWith('linux-kbuild-')), () => undefined));
  if (kbuild) {
    await mkdir(join(tmp, 'usr/lib'), { recursive: true });
    await symlink(`/usr/lib/${kbuild}`, join(tmp, 'usr/lib', kbuild)).catch(() => undefined);
  }
}
