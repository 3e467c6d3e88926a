// LAVA's device-type templates (qemu.jinja2 and the base.jinja2 it extends), taken from Debian's lava-server package
// into pilot's cache without installing the server: lava-run needs a rendered device dictionary, which the server makes.
import { access, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../../../../harness/core/errors.ts';
import { Apt } from '../../../../harness/images/apt.ts';
import { cacheKey, ensureEntry, sourceHash, withCacheLock } from '../../../../harness/images/cache.ts';
import { defaultCacheDir } from '../../../../harness/images/cache-dir.ts';
import { extractDeb } from '../../../../harness/images/deb.ts';
import { pin } from '../../../../harness/images/kernel.ts';

export const LAVA_SERVER_PACKAGE = 'lava-server';
const TEMPLATES_IN_PACKAGE = 'usr/share/lava-server/device-types';
const PIECE = 'lava-device-types';
const RECIPE = sourceHash(import.meta.url);

export interface DeviceTypeTemplates {
  /** Folder of the package's *.jinja2 device-type templates. */
  dir: string;
  /** lava-server version they came from; lava-dispatcher must understand what they render. */
  version: string;
}

/** The cached template folder, downloading and unpacking lava-server (arch all) on first use. */
export async function lavaDeviceTypeTemplates(options: { cacheDir?: string; signal?: AbortSignal } = {}): Promise<DeviceTypeTemplates> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  // Image builds share the apt state and the deb folder, so this takes the same lock they do.
  return withCacheLock(
    cacheDir,
    async () => {
      const apt = new Apt({ stateDir: join(cacheDir, 'apt'), signal: options.signal });
      const pkg = (await apt.show([LAVA_SERVER_PACKAGE])).get(LAVA_SERVER_PACKAGE)!;
      const entry = await ensureEntry<{ templates: string; version: string }>({
        cacheDir,
        piece: PIECE,
        key: cacheKey(PIECE, { pkg: pin(pkg), recipe: RECIPE }),
        build: async (tmp) => {
          const { paths } = await apt.download([pkg], join(cacheDir, 'debs'));
          const unpacked = join(tmp, 'unpacked');
          await extractDeb(paths[0]!, unpacked, options.signal);
          const templates = join(unpacked, TEMPLATES_IN_PACKAGE);
          const missing = await access(join(templates, 'qemu.jinja2')).then(() => undefined, (error: unknown) => error);
          if (missing) throw new InfraError('E_LAVA_TEMPLATES', `${pkg.name} ${pkg.version} has no ${TEMPLATES_IN_PACKAGE}/qemu.jinja2`, { cause: missing });
          // Only the templates stay: the server's Python code and static files are of no use here.
          await rename(templates, join(tmp, 'device-types'));
          await rm(unpacked, { recursive: true, force: true });
          return { templates: 'device-types', version: pkg.version };
        },
      });
      return { dir: join(entry.dir, entry.manifest.templates), version: entry.manifest.version };
    },
    { signal: options.signal },
  );
}
