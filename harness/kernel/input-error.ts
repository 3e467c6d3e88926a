// The stable codes of a kernel under test that cannot be used; each one stops the run before anything boots.
import { InputError, type PilotErrorOptions } from '../core/errors.ts';

export const KERNEL_INPUT_CODES = {
  /** The path, package or spec given does not exist or is not one of the accepted forms. */
  unknown: 'E_KERNEL_INPUT',
  /** arch/arm64/boot/Image (or the Image file given) is missing. */
  noImage: 'E_KERNEL_NO_IMAGE',
  /** The file is not an arm64 Image (no ARM\x64 magic at offset 56, also after gunzip). */
  notArm64: 'E_KERNEL_NOT_ARM64_IMAGE',
  /** No "Linux version <release> (" banner inside the Image. */
  noVersion: 'E_KERNEL_NO_VERSION',
  /** include/config/kernel.release is missing from a build directory. */
  noRelease: 'E_KERNEL_NO_RELEASE',
  /** The build directory's release and its Image's disagree. */
  releaseMismatch: 'E_KERNEL_RELEASE_MISMATCH',
  /** The modules are for another release than the Image. */
  modulesRelease: 'E_KERNEL_MODULES_RELEASE',
  /** No lib/modules/<release> tree in the folder or tarball. */
  noModules: 'E_KERNEL_NO_MODULES',
  /** The kernel config lacks options the simulated SoC needs. */
  config: 'E_KERNEL_CONFIG',
  /** No .config in the build directory. */
  noConfig: 'E_KERNEL_NO_CONFIG',
  /** make modules_install failed. */
  modulesInstall: 'E_KERNEL_MODULES_INSTALL',
  /** The simulated-SoC module does not build against the kernel. */
  moduleBuild: 'E_KERNEL_SIM_MODULE_BUILD',
  /** Nothing to build the simulated-SoC module against (an Image + modules without a build tree). */
  noBuildTree: 'E_KERNEL_NO_BUILD_TREE',
  /** A .deb that is not an arm64 linux-image package. */
  notImageDeb: 'E_KERNEL_NOT_IMAGE_DEB',
  /** No headers package for a .deb, neither beside it nor from apt. */
  noHeaders: 'E_KERNEL_NO_HEADERS',
  /** A modules tarball that cannot be read. */
  tarball: 'E_KERNEL_MODULES_TARBALL',
} as const;

export type KernelInputCode = (typeof KERNEL_INPUT_CODES)[keyof typeof KERNEL_INPUT_CODES];

/** Every message names the file it is about, so the user knows which artifact to fix. */
export function kernelInputError(code: KernelInputCode, message: string, options: PilotErrorOptions = {}): InputError {
  return new InputError(code, message, options);
}
