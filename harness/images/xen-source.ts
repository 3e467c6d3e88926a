// Xen 4.17 built from Debian's source package with pilot's SiP-forwarding patch (images/xen-sip-forward), so dom0's
// qcom_scm reaches the EL3 firmware on xen-el1 with soc: real. Hypervisor only; cached by source, patch, config, recipe.
import { createHash } from 'node:crypto';
import { copyFile, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError } from '../core/errors.ts';
import { runProcess } from '../host/process.ts';
import { AptSource } from './apt-source.ts';
import { cacheKey, ensureEntry, sourceHash } from './cache.ts';
import type { BuildContext } from './context.ts';
import { SOC_HOST_PACKAGES } from './soc.ts';

export const XEN_SOURCE_PIECE = 'xen-sip';
export const XEN_SOURCE_PACKAGE = 'xen';
export const XEN_PATCH_DIR = fileURLToPath(new URL('../../images/xen-sip-forward/', import.meta.url));
/** The host tools the build runs beyond the cross compiler: Xen's kconfig needs flex and bison. */
export const XEN_SOURCE_HOST_PACKAGES = [...SOC_HOST_PACKAGES, 'flex', 'bison', 'dpkg-dev'] as const;
const RECIPE = sourceHash(import.meta.url, new URL('./apt-source.ts', import.meta.url));
const BINARY = 'xen';
const MAKE_ARGS = ['XEN_TARGET_ARCH=arm64', 'CROSS_COMPILE=aarch64-linux-gnu-'];

export interface XenSourceBuild {
  /** The hypervisor's flat arm64 Image (xen/xen), with a Linux-compatible header. */
  path: string;
  /** Debian's source version it was built from. */
  version: string;
  key: string;
  built: boolean;
  /** Wall time of the build that made the entry (the cold build), kept in its manifest. */
  buildMs: number;
}

interface XenSourceManifest {
  file: string;
  version: string;
  patches: string[];
  buildMs: number;
  bytes: number;
}

/** The patches (applied in name order) and the config fragment, with a digest of both. */
export async function xenPatchInputs(dir = XEN_PATCH_DIR): Promise<{ patches: string[]; config: string; digest: string }> {
  const patches = (await readdir(dir)).filter((name) => name.endsWith('.patch')).sort();
  const config = await readFile(join(dir, 'config'), 'utf8');
  const hash = createHash('sha256');
  for (const name of patches) hash.update(`${name}\0`).update(await readFile(join(dir, name))).update('\0');
  hash.update('config\0').update(config);
  return { patches, config, digest: hash.digest('hex') };
}

/** The newest version the deb-src list offers (apt-cache showsrc lists the candidate first). */
export async function xenSourceVersion(apt: AptSource): Promise<string> {
  return (await apt.versions(XEN_SOURCE_PACKAGE))[0]!;
}

export async function buildXenFromSource(ctx: BuildContext, patchDir = XEN_PATCH_DIR): Promise<XenSourceBuild> {
  const apt = new AptSource({ stateDir: join(ctx.cacheDir, 'apt-src'), signal: ctx.signal });
  const version = await xenSourceVersion(apt);
  const inputs = await xenPatchInputs(patchDir);
  const key = cacheKey(XEN_SOURCE_PIECE, {
    source: `${XEN_SOURCE_PACKAGE} ${version}`,
    patches: inputs.digest,
    tools: XEN_SOURCE_HOST_PACKAGES.map((name) => `${name} ${ctx.hostVersions.get(name) ?? 'unknown'}`),
    recipe: RECIPE,
  });
  const entry = await ensureEntry<XenSourceManifest>({
    cacheDir: ctx.cacheDir,
    piece: XEN_SOURCE_PIECE,
    key,
    force: ctx.force,
    build: async (tmp) => {
      const started = Date.now();
      ctx.progress(XEN_SOURCE_PIECE, 'build', `apt-get source ${XEN_SOURCE_PACKAGE}=${version}`);
      const work = join(tmp, 'work');
      const tree = await apt.fetchAndUnpack(XEN_SOURCE_PACKAGE, version, work);
      for (const patch of inputs.patches) {
        await runProcess('patch', ['-p1', '--forward', '--batch', '-i', join(patchDir, patch)], { code: 'E_XEN_SOURCE_BUILD', what: `apply ${patch} to xen ${version}`, cwd: tree, signal: ctx.signal });
      }
      // As debian/rules configures it: Debian's kconfig, then olddefconfig; pilot's fragment goes between.
      const debianConfig = await readFile(join(tree, 'debian', 'xen-kconfig'), 'utf8');
      await writeFile(join(tree, 'xen', '.config'), `${debianConfig}\n${inputs.config}`);
      const make = (args: string[], what: string) =>
        runProcess('nice', ['-n', '10', 'make', '-C', join(tree, 'xen'), ...MAKE_ARGS, ...args], { code: 'E_XEN_SOURCE_BUILD', what, signal: ctx.signal, timeoutMs: 3_600_000 });
      await make(['olddefconfig'], `configure xen ${version}`);
      const config = await readFile(join(tree, 'xen', '.config'), 'utf8');
      if (!/^CONFIG_QEMU_VIRT_SIP_FORWARD=y$/m.test(config)) {
        throw new InfraError('E_XEN_SOURCE_BUILD', `xen ${version}'s olddefconfig dropped CONFIG_QEMU_VIRT_SIP_FORWARD: the patch did not add its Kconfig option`);
      }
      ctx.progress(XEN_SOURCE_PIECE, 'build', `make -C xen ${MAKE_ARGS.join(' ')} (nice)`);
      await make([`-j${availableParallelism()}`], `build xen ${version}`);
      await copyFile(join(tree, 'xen', BINARY), join(tmp, BINARY));
      await copyFile(join(tree, 'xen', '.config'), join(tmp, 'config'));
      await rm(work, { recursive: true, force: true });
      return { file: BINARY, version, patches: inputs.patches, buildMs: Date.now() - started, bytes: (await stat(join(tmp, BINARY))).size };
    },
  });
  const path = join(entry.dir, entry.manifest.file);
  ctx.progress(XEN_SOURCE_PIECE, entry.built ? 'done' : 'cached', `xen ${version} + ${entry.manifest.patches.join(', ')} (built in ${Math.round(entry.manifest.buildMs / 1000)} s) → ${path}`);
  return { path, version, key, built: entry.built, buildMs: entry.manifest.buildMs };
}
