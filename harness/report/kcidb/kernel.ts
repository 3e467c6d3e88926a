// The kernel under test as KCIDB's checkout and build need it: release, package version, image hash, and git facts when known.
import { fileSha256 } from '../../deploy/file-sha256.ts';
import type { KernelUnderTest } from '../../kernel/input.ts';
import type { KernelArtifact } from '../../images/image-set.ts';

export interface KcidbGitFacts {
  /** KCIDB wants the shortest https:// URL of the repository. */
  repositoryUrl?: string;
  /** Full 40-hex commit hash. */
  commit?: string;
  branch?: string;
  treeName?: string;
}

export interface KcidbKernel {
  /** `uname -r`, e.g. 6.1.0-56-arm64. */
  release: string;
  /** Package version or local version string, e.g. 6.1.174-1. */
  version?: string;
  /** sha256 of the bootable image, the surest identity of a prebuilt kernel. */
  imageSha256?: string;
  /** GNU build-id of vmlinux, when known. */
  buildId?: string;
  /** Name of the configuration, e.g. debian-arm64 or defconfig. */
  configName?: string;
  /** KCIDB architecture name; default arm64. */
  architecture?: string;
  git?: KcidbGitFacts;
}

/** Git facts from the environment CI jobs already set: PILOT_GIT_URL, PILOT_GIT_COMMIT, PILOT_GIT_BRANCH, PILOT_GIT_TREE. */
export function gitFactsFromEnv(env: NodeJS.ProcessEnv = process.env): KcidbGitFacts | undefined {
  const facts: KcidbGitFacts = {
    ...(env.PILOT_GIT_URL ? { repositoryUrl: env.PILOT_GIT_URL } : {}),
    ...(env.PILOT_GIT_COMMIT ? { commit: env.PILOT_GIT_COMMIT } : {}),
    ...(env.PILOT_GIT_BRANCH ? { branch: env.PILOT_GIT_BRANCH } : {}),
    ...(env.PILOT_GIT_TREE ? { treeName: env.PILOT_GIT_TREE } : {}),
  };
  return Object.keys(facts).length ? facts : undefined;
}

/** Describes an image build's kernel (hashing its image) for the KCIDB reporter. */
export async function kcidbKernelOf(kernel: KernelArtifact, env: NodeJS.ProcessEnv = process.env): Promise<KcidbKernel> {
  const git = gitFactsFromEnv(env);
  return {
    release: kernel.release,
    version: kernel.packageVersion,
    imageSha256: await fileSha256(kernel.imagePath),
    configName: kernel.packageVersion === 'local' ? 'local' : 'debian-arm64',
    architecture: 'arm64',
    ...(git ? { git } : {}),
  };
}

/** Describes a pushed kernel under test: its own release, banner, image hash and build-id. */
export function kcidbKernelOfPushed(kernel: KernelUnderTest, env: NodeJS.ProcessEnv = process.env): KcidbKernel {
  const git = gitFactsFromEnv(env);
  return {
    release: kernel.release,
    version: kernel.versionString,
    imageSha256: kernel.imageSha256,
    ...(kernel.buildId ? { buildId: kernel.buildId } : {}),
    configName: kernel.source === 'debian' ? 'debian-arm64' : 'local',
    architecture: 'arm64',
    ...(git ? { git } : {}),
  };
}
