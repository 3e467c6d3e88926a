// buildImages(): every guest piece from Debian packages plus the simulated SoC, each a cache entry keyed by what it is made of.
import { join } from 'node:path';
import { installedPackageVersions } from '../host/check.ts';
import { GUEST_ARCH, Apt } from './apt.ts';
import { withCacheLock } from './cache.ts';
import { defaultCacheDir } from './cache-dir.ts';
import type { BuildContext } from './context.ts';
import type { ImageSet, SimulatedSoc } from './image-set.ts';
import { buildInitramfs } from './initramfs.ts';
import { DEFAULT_KERNEL_PACKAGE, buildDebianKernel, kernelAptRoots, kernelShowNames, resolveKernelPackageNames } from './kernel.ts';
import { BASE_GUEST_MODULES } from './modules.ts';
import { progressSink, type ImageProgress } from './progress.ts';
import { EL3_FIRMWARE_PIECE } from './el3-firmware.ts';
import { REAL_SOC_KERNEL_PACKAGE, buildRealSocImages, realSocAptRoots } from './real-soc-images.ts';
import { SIM_MODULE_DEPENDS } from './sim-module/build-module.ts';
import { SOC_FIRMWARE_PIECE, SOC_HOST_PACKAGES, SOC_MODULE_PIECE, buildSoc } from './soc.ts';
import { ensureSshKeyPair } from './ssh-key.ts';
import { GUEST_PROGRAMS, buildUserland, reachableArm64Packages, userlandAptRoots } from './userland.ts';
import { XEN_PACKAGE, buildXen } from './xen.ts';
import { XEN_SOURCE_HOST_PACKAGES, XEN_SOURCE_PIECE } from './xen-source.ts';

export { defaultCacheDir } from './cache-dir.ts';
export type { ImageProgress } from './progress.ts';

export interface BuildImagesOptions {
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: (event: ImageProgress) => void;
  /** Rebuild every piece even when its entry exists (downloads stay cached; the SSH key is kept). */
  force?: boolean;
  /** Debian package that selects the kernel; a metapackage is followed to its versioned image. */
  kernelPackage?: string;
  /** In-tree modules to load from /init after the virtio network stack, by name (e.g. the SoC's remoteproc needs). */
  extraModules?: readonly string[];
  /** Folder holding /init and etc/ for the initramfs; defaults to images/rootfs. */
  rootfsTemplateDir?: string;
  /** Put the simulated SoC (module, its in-tree dependencies, firmware) into the initramfs. Default true. */
  soc?: boolean;
  /** Preprocessor symbols for a variant of the SoC module, e.g. SIM_MODULE_DEFINES.skipCarveoutMap; each set is its own cache entry. */
  simModuleDefines?: readonly string[];
  /** Sources of the SoC module; defaults to images/qcom-pas-sim (tests pass an edited copy). */
  simModuleSourceDir?: string;
  /** Also build the second base set `soc: real` runs boot (Debian 6.12, the Qualcomm drivers, the EL3 firmware). */
  realSoc?: boolean;
  /** With realSoc: also Xen built from Debian's source with the SiP-forwarding patch (xen-el1 on soc: real). */
  realSocXen?: boolean;
}

export interface PieceReport {
  piece: string;
  key: string;
  path: string;
  /** False when it came from the cache. */
  built: boolean;
}

export interface ImageBuildReport {
  images: ImageSet;
  pieces: PieceReport[];
  elapsedMs: number;
}

/** The modules /init loads: the virtio network stack first, then the extras, each once. */
export function guestModuleList(extra: readonly string[] = []): string[] {
  return [...new Set([...BASE_GUEST_MODULES, ...extra])];
}

/** What a guest needs to mount the U-Boot boot disk's FAT partition, where a reboot deploy writes the next kernel. */
export const BOOT_DISK_MODULES: readonly string[] = ['virtio_blk', 'fat', 'vfat', 'nls_cp437', 'nls_ascii'];

/** The load list of an image: with the SoC, its module's in-tree dependencies come after the network stack, the boot-disk modules and the extras. */
export function imageModuleList(extra: readonly string[] = [], soc = true): string[] {
  return guestModuleList([...BOOT_DISK_MODULES, ...extra, ...(soc ? SIM_MODULE_DEPENDS : [])]);
}

export async function buildImages(options: BuildImagesOptions = {}): Promise<ImageSet> {
  return (await buildImagesWithReport(options)).images;
}

export async function buildImagesWithReport(options: BuildImagesOptions = {}): Promise<ImageBuildReport> {
  const started = Date.now();
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const progress = progressSink(options.onProgress, started);
  const kernelPackage = options.kernelPackage ?? DEFAULT_KERNEL_PACKAGE;
  return withCacheLock(
    cacheDir,
    async () => {
      const apt = new Apt({ stateDir: join(cacheDir, 'apt'), signal: options.signal });
      progress('apt', 'build', 'resolve package versions (apt-cache depends, show)');
      const userlandRoots = userlandAptRoots(GUEST_PROGRAMS);
      const [graph, hostVersions] = await Promise.all([
        apt.dependencyGraph([...kernelAptRoots(kernelPackage), ...(options.realSoc ? realSocAptRoots() : []), `${XEN_PACKAGE}:${GUEST_ARCH}`, ...userlandRoots]),
        installedPackageVersions(['kmod', 'linux-kbuild-*', ...new Set<string>([...SOC_HOST_PACKAGES, ...(options.realSocXen ? XEN_SOURCE_HOST_PACKAGES : [])])]),
      ]);
      // One apt-cache show for every piece: each call costs a third of a second.
      await apt.show([
        ...kernelShowNames(resolveKernelPackageNames(graph, kernelPackage)),
        ...(options.realSoc ? kernelShowNames(resolveKernelPackageNames(graph, REAL_SOC_KERNEL_PACKAGE)) : []),
        `${XEN_PACKAGE}:${GUEST_ARCH}`,
        ...reachableArm64Packages(graph, userlandRoots),
      ]);
      progress('apt', 'done', `${graph.size} packages in the dependency graph`);

      const ctx: BuildContext = {
        cacheDir,
        debDir: join(cacheDir, 'debs'),
        apt,
        graph,
        signal: options.signal,
        force: options.force ?? false,
        progress,
        hostVersions,
      };
      const sshKey = await ensureSshKeyPair(cacheDir);
      progress('ssh-key', sshKey.generated ? 'done' : 'cached', sshKey.privateKeyPath);

      const kernel = await buildDebianKernel(kernelPackage, ctx);
      const xen = await buildXen(ctx);
      const userland = await buildUserland(ctx);
      const withSoc = options.soc ?? true;
      const soc = withSoc
        ? await buildSoc(ctx, {
            kernel: kernel.artifact,
            headersKey: kernel.keys.headers,
            defines: options.simModuleDefines,
            sourceDir: options.simModuleSourceDir,
          })
        : undefined;
      const simulatedSoc: SimulatedSoc | undefined = soc && { modulePath: soc.modulePath, firmwareDir: soc.firmwareDir, key: soc.key, defines: soc.defines };
      const initramfs = await buildInitramfs(ctx, {
        kernel: kernel.artifact,
        kernelKey: kernel.keys.kernel,
        userland,
        publicKey: sshKey.publicKey,
        modules: imageModuleList(options.extraModules, withSoc),
        templateDir: options.rootfsTemplateDir,
        soc: simulatedSoc,
      });

      const realSoc = options.realSoc
        ? await buildRealSocImages(ctx, { userland, publicKey: sshKey.publicKey, templateDir: options.rootfsTemplateDir, xen: options.realSocXen ?? false })
        : undefined;

      const images: ImageSet = {
        kernel: kernel.artifact,
        initramfsPath: initramfs.path,
        ...(simulatedSoc ? { soc: simulatedSoc } : {}),
        ...(realSoc ? { realSoc } : {}),
        xenPath: xen.path,
        sshKey: { privateKeyPath: sshKey.privateKeyPath, publicKey: sshKey.publicKey },
        cacheDir,
      };
      const pieces: PieceReport[] = [
        { piece: 'kernel', key: kernel.keys.kernel, path: kernel.artifact.imagePath, built: kernel.built.kernel },
        { piece: 'kernel-headers', key: kernel.keys.headers, path: kernel.artifact.buildDir ?? '', built: kernel.built.headers },
        { piece: 'xen', key: xen.key, path: xen.path, built: xen.built },
        { piece: 'userland', key: userland.key, path: userland.tree, built: userland.built },
        ...(soc
          ? [
              { piece: SOC_MODULE_PIECE, key: soc.module.key, path: soc.modulePath, built: soc.module.built },
              { piece: SOC_FIRMWARE_PIECE, key: soc.firmware.key, path: soc.firmwareDir, built: soc.firmware.built },
            ]
          : []),
        { piece: 'initramfs', key: initramfs.key, path: initramfs.path, built: initramfs.built },
        ...(realSoc
          ? [
              { piece: 'real-soc-kernel', key: realSoc.keys.kernel, path: realSoc.kernel.imagePath, built: realSoc.built.kernel },
              { piece: 'real-soc-kernel-headers', key: realSoc.keys.headers, path: realSoc.paths.headers, built: realSoc.built.headers },
              { piece: EL3_FIRMWARE_PIECE, key: realSoc.keys.el3Firmware, path: realSoc.el3FirmwarePath, built: realSoc.built.el3Firmware },
              { piece: 'real-soc-initramfs', key: realSoc.keys.initramfs, path: realSoc.initramfsPath, built: realSoc.built.initramfs },
              ...(realSoc.xen ? [{ piece: XEN_SOURCE_PIECE, key: realSoc.xen.key, path: realSoc.xen.path, built: realSoc.xen.built }] : []),
            ]
          : []),
      ];
      return { images, pieces, elapsedMs: Date.now() - started };
    },
    { signal: options.signal, onWait: (pid) => progress('apt', 'build', `waiting for another image build (pid ${pid}) to finish`) },
  );
}
