// Where the kernel under test comes from, as a scenario's `kernel:` key or `--kernel` names it; checked later by kernel/input.ts.
export type KernelSpec =
  /** What `make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- Image modules` wrote. */
  | { kind: 'build-dir'; dir: string }
  /** An Image (or Image.gz) and its modules: a lib/modules/<release> folder, its parent, or a .tar/.tar.gz/.tar.xz of either. */
  | { kind: 'image+modules'; image: string; modules: string; buildDir?: string }
  /** linux-image-*-arm64, versioned or a metapackage such as linux-image-rt-arm64. */
  | { kind: 'debian-package'; name: string }
  /** A linux-image .deb; headers from apt when it is apt's own file, else these (or the ones beside it). */
  | { kind: 'deb'; path: string; headers?: readonly string[] };
