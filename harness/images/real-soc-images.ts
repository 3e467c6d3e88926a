// The second base image set, for `soc: real`: Debian's 6.12 kernel (the first with every Qualcomm remoteproc driver
// as a module), an initramfs loading those drivers, the simulation module for Iris alone, and the EL3 firmware.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildContext } from './context.ts';
import { EL3_FIRMWARE_SOURCE_DIR, buildEl3Firmware } from './el3-firmware.ts';
import type { RealSocImages, SimulatedSoc } from './image-set.ts';
import { buildInitramfs } from './initramfs.ts';
import { buildDebianKernel, kernelAptRoots } from './kernel.ts';
import { BASE_GUEST_MODULES } from './modules.ts';
import { SIM_MODULE_DEPENDS } from './sim-module/build-module.ts';
import { buildSoc } from './soc.ts';
import type { UserlandBuild } from './userland.ts';
import { buildXenFromSource } from './xen-source.ts';

/** Debian's 6.12 metapackage (bookworm-security); 6.1 has HWSPINLOCK off, so no SMEM, SMP2P or PAS (DESIGN.md 3a). */
export const REAL_SOC_KERNEL_PACKAGE = 'linux-image-6.12-arm64';
/** The drivers the firmware's selftest proved sufficient, one per line: kept in one place for both. */
export const REAL_SOC_MODULES_FILE = join(EL3_FIRMWARE_SOURCE_DIR, 'selftest-modules');
/** What the guest needs to mount the U-Boot boot disk (kept identical to the simulation's image). */
const BOOT_DISK_MODULES: readonly string[] = ['virtio_blk', 'fat', 'vfat', 'nls_cp437', 'nls_ascii'];

export function realSocAptRoots(): string[] {
  return kernelAptRoots(REAL_SOC_KERNEL_PACKAGE);
}

/** The Qualcomm driver modules to load, in the selftest's order (dependencies are added from modules.dep). */
export async function realSocDriverModules(file = REAL_SOC_MODULES_FILE): Promise<string[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

export interface RealSocInputs {
  userland: UserlandBuild;
  publicKey: string;
  templateDir?: string | undefined;
  /** Also build Xen from Debian's source with the SiP-forwarding patch, for xen-el1 runs. */
  xen?: boolean;
}

export async function buildRealSocImages(ctx: BuildContext, inputs: RealSocInputs): Promise<RealSocImages> {
  const kernel = await buildDebianKernel(REAL_SOC_KERNEL_PACKAGE, ctx);
  const el3 = await buildEl3Firmware(ctx);
  const soc = await buildSoc(ctx, { kernel: kernel.artifact, headersKey: kernel.keys.headers });
  const iris: SimulatedSoc = { modulePath: soc.modulePath, firmwareDir: soc.firmwareDir, key: soc.key, defines: soc.defines };
  const drivers = await realSocDriverModules();
  const initramfs = await buildInitramfs(ctx, {
    kernel: kernel.artifact,
    kernelKey: kernel.keys.kernel,
    userland: inputs.userland,
    publicKey: inputs.publicKey,
    // Network first (SSH must come up whatever the remotes do), then the disk, the Qualcomm stack, Iris's needs.
    modules: [...new Set([...BASE_GUEST_MODULES, ...BOOT_DISK_MODULES, ...drivers, ...SIM_MODULE_DEPENDS])],
    templateDir: inputs.templateDir,
    soc: iris,
  });
  const xen = inputs.xen ? await buildXenFromSource(ctx) : undefined;
  return {
    kernel: kernel.artifact,
    initramfsPath: initramfs.path,
    el3FirmwarePath: el3.path,
    driverModules: drivers,
    iris,
    ...(xen ? { xen: { path: xen.path, version: xen.version, key: xen.key, built: xen.built } } : {}),
    keys: { kernel: kernel.keys.kernel, headers: kernel.keys.headers, el3Firmware: el3.key, initramfs: initramfs.key },
    built: { kernel: kernel.built.kernel, headers: kernel.built.headers, el3Firmware: el3.built, initramfs: initramfs.built },
    paths: { headers: kernel.artifact.buildDir ?? '' },
  };
}
