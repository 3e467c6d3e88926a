// The Xen hypervisor QEMU loads with -kernel on the xen-el1 profile, taken from Debian's package.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../core/errors.ts';
import { GUEST_ARCH } from './apt.ts';
import { cacheKey, ensureEntry, sourceHash } from './cache.ts';
import type { BuildContext } from './context.ts';
import { describePackage, extractDeb, fetchDebs } from './deb.ts';
import { pin } from './kernel.ts';

export const XEN_PACKAGE = 'xen-hypervisor-4.17-arm64';
const RECIPE = sourceHash(import.meta.url);

export interface XenBuild {
  /** The hypervisor binary (boot/xen-4.17-arm64), not the .efi one. */
  path: string;
  version: string;
  key: string;
  dir: string;
  built: boolean;
}

export async function buildXen(ctx: BuildContext, packageName = XEN_PACKAGE): Promise<XenBuild> {
  const pkg = (await ctx.apt.show([`${packageName}:${GUEST_ARCH}`])).get(`${packageName}:${GUEST_ARCH}`)!;
  const key = cacheKey('xen', { pkg: pin(pkg), recipe: RECIPE });
  const entry = await ensureEntry<{ binary: string; version: string }>({
    cacheDir: ctx.cacheDir,
    piece: 'xen',
    key,
    force: ctx.force,
    build: async (tmp) => {
      const [deb] = await fetchDebs(ctx.apt, [pkg], ctx.debDir, 'xen', ctx.progress);
      ctx.progress('xen', 'extract', describePackage(pkg));
      await extractDeb(deb!, tmp, ctx.signal);
      const boot = await readdir(join(tmp, 'boot')).catch(() => [] as string[]);
      const binary = boot.find((name) => /^xen-[\d.]+-arm64$/.test(name));
      if (!binary) throw new InfraError('E_XEN_PACKAGE', `${pkg.name} has no boot/xen-<version>-arm64 (found ${boot.join(', ') || 'nothing'})`);
      await rm(join(tmp, 'usr/share/doc'), { recursive: true, force: true });
      return { binary: `boot/${binary}`, version: pkg.version };
    },
  });
  ctx.progress('xen', entry.built ? 'done' : 'cached', `${packageName} ${pkg.version} → ${entry.dir}`);
  return { path: join(entry.dir, entry.manifest.binary), version: entry.manifest.version, key, dir: entry.dir, built: entry.built };
}
