// The guest pieces an image build produces; machines boot from them and deploy pushes replace them.

export interface KernelArtifact {
  /** `uname -r` of the kernel, e.g. 6.1.0-56-arm64. */
  release: string;
  /** Debian package version it came from, e.g. 6.1.174-1, or 'local' for a developer's tree. */
  packageVersion: string;
  /** The bootable image QEMU's -kernel, Xen's guest-loader and kexec accept. */
  imagePath: string;
  /** Root of the modules tree, i.e. the folder holding lib/modules/<release>, with modules.dep made on the host. */
  modulesRoot: string;
  /** Kernel headers/build tree that out-of-tree modules are built against, when known. */
  buildDir: string | undefined;
}

export interface SshKeyPair {
  /** OpenSSH-format private key file, mode 0600. */
  privateKeyPath: string;
  /** The `ssh-ed25519 AAAA… comment` line authorized in the guest. */
  publicKey: string;
}

/** The simulated Qualcomm SoC an image carries: /init loads the module, the kernel's firmware loader finds the images. */
export interface SimulatedSoc {
  /** qcom_pas_sim.ko built for kernel.release; in the guest at /lib/modules/<release>/extra/qcom_pas_sim.ko. */
  modulePath: string;
  /** Host folder that is /lib/firmware in the guest (qcom/sa8775p/adsp.mbn, …). */
  firmwareDir: string;
  /** Cache key of module and firmware together. */
  key: string;
  /** Preprocessor symbols the module was built with; empty for the normal build. */
  defines: string[];
}

/** The second base set, for `soc: real` runs (harness/images/real-soc-images.ts builds it). */
export interface RealSocImages {
  kernel: KernelArtifact;
  /** gzip'd newc cpio: pilot's /init and userland, the 6.12 modules (network, Qualcomm drivers), firmware, Iris's module. */
  initramfsPath: string;
  /** The EL3 firmware QEMU runs with -bios. */
  el3FirmwarePath: string;
  /** The Qualcomm driver modules the initramfs loads (dependencies come from modules.dep); a pushed kernel's initrd loads the same. */
  driverModules: string[];
  /** The simulation module built for 6.12: with the real SoC's device tree it finds only Iris's node. */
  iris: SimulatedSoc;
  /** Xen built from Debian's source with the SiP-forwarding patch (xen-source.ts): present when a run needs xen-el1 on soc: real. */
  xen?: { path: string; version: string; key: string; built: boolean };
  keys: { kernel: string; headers: string; el3Firmware: string; initramfs: string };
  built: { kernel: boolean; headers: boolean; el3Firmware: boolean; initramfs: boolean };
  paths: { headers: string };
}

export interface ImageSet {
  kernel: KernelArtifact;
  /** gzip'd newc cpio with busybox, dropbear, kexec and /init (and the simulated SoC when `soc` is set). */
  initramfsPath: string;
  /** Present when the initramfs carries the simulated SoC (buildImages' default). */
  soc?: SimulatedSoc;
  /** The second base set for `soc: real` runs (6.12, the Qualcomm drivers, the EL3 firmware); built when asked for. */
  realSoc?: RealSocImages;
  /** Xen hypervisor image for the xen-el1 profile. */
  xenPath: string;
  sshKey: SshKeyPair;
  /** Where the cache entries live; for doctor and reports. */
  cacheDir: string;
}
