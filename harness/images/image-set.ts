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

export interface ImageSet {
  kernel: KernelArtifact;
  /** gzip'd newc cpio with busybox, dropbear, kexec and /init. */
  initramfsPath: string;
  /** Xen hypervisor image for the xen-el1 profile. */
  xenPath: string;
  sshKey: SshKeyPair;
  /** Where the cache entries live; for doctor and reports. */
  cacheDir: string;
}
