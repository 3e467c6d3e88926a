// A Debian arm64 kernel as two cache entries: the image with its modules (depmod run on the host),
// and its headers fixed up so out-of-tree modules build on this x86 host.
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../core/errors.ts';
import { GUEST_ARCH, HOST_ARCH, baseName, type AptPackage, type DependencyGraph } from './apt.ts';
import { cacheKey, ensureEntry, sourceHash } from './cache.ts';
import type { BuildContext } from './context.ts';
import { describePackage, extractDeb, fetchDebs } from './deb.ts';
import type { KernelArtifact } from './image-set.ts';
import { runProcess } from '../host/process.ts';

/** The package Debian's "current arm64 kernel" metapackage is; a second flavour (e.g. an -rt- image) is another name. */
export const DEFAULT_KERNEL_PACKAGE = 'linux-image-arm64';

const RECIPE = sourceHash(import.meta.url);

/** Debian names headers after the image: linux-image-X ↔ linux-headers-X, for metapackages and versioned ones alike. */
export function headersPackageFor(imagePackage: string): string {
  return imagePackage.replace(/^linux-image-/, 'linux-headers-');
}

/** The apt roots whose dependency graph the kernel recipe needs. */
export function kernelAptRoots(packageName: string): string[] {
  return [`${packageName}:${GUEST_ARCH}`, `${headersPackageFor(packageName)}:${GUEST_ARCH}`];
}

export interface KernelPackageNames {
  /** Versioned image package, e.g. linux-image-6.1.0-56-arm64. */
  image: string;
  headers: string;
  /** Arch-all headers shared by all flavours, e.g. linux-headers-6.1.0-56-common. */
  headersCommon: string;
  /** Host package providing the kbuild scripts the headers link to, e.g. linux-kbuild-6.1. */
  kbuild: string;
}

// A full version (6.1.0-56, 6.12.117+deb12): linux-image-6.12-arm64 is a metapackage although it starts with a digit.
const VERSIONED_IMAGE = /^linux-image-\d+\.\d+\.\d+/;

/** Follows a metapackage to the versioned image it depends on, then the headers' own dependencies. */
export function resolveKernelPackageNames(graph: DependencyGraph, packageName: string): KernelPackageNames {
  let image = packageName;
  if (!VERSIONED_IMAGE.test(packageName)) {
    const edges = graph.get(`${packageName}:${GUEST_ARCH}`) ?? [];
    const target = edges
      .filter((e) => e.type === 'Depends' || e.type === 'PreDepends')
      .flatMap((e) => (e.virtual ? e.providers : [e.target]))
      .map(baseName)
      .find((name) => VERSIONED_IMAGE.test(name));
    if (!target) throw new InfraError('E_KERNEL_PACKAGE', `${packageName}:${GUEST_ARCH} depends on no versioned linux-image package`);
    image = target;
  }
  const headers = headersPackageFor(image);
  const headerEdges = graph.get(`${headers}:${GUEST_ARCH}`);
  if (!headerEdges) throw new InfraError('E_KERNEL_PACKAGE', `apt knows no ${headers}:${GUEST_ARCH} for ${image}`);
  const targets = headerEdges.flatMap((e) => (e.virtual ? e.providers : [e.target])).map(baseName);
  const headersCommon = targets.find((name) => /^linux-headers-.*-common(-rt)?$/.test(name));
  const kbuild = targets.find((name) => name.startsWith('linux-kbuild-'));
  if (!headersCommon || !kbuild) {
    throw new InfraError('E_KERNEL_PACKAGE', `${headers} does not depend on a -common headers package and linux-kbuild (got ${targets.join(', ')})`);
  }
  return { image, headers, headersCommon, kbuild };
}

/** The packages show() needs for this kernel, named as apt-cache show takes them. */
export function kernelShowNames(names: KernelPackageNames): string[] {
  return [`${names.image}:${GUEST_ARCH}`, `${names.headers}:${GUEST_ARCH}`, names.headersCommon];
}

export interface KernelBuild {
  artifact: KernelArtifact;
  /** Cache keys, for the build table. */
  keys: { kernel: string; headers: string };
  dirs: { kernel: string; headers: string };
  built: { kernel: boolean; headers: boolean };
  packages: KernelPackageNames;
}

interface KernelManifest {
  release: string;
  packageVersion: string;
  image: string;
}

interface HeadersManifest {
  release: string;
  buildDir: string;
}

async function findRelease(root: string, imagePackage: string): Promise<string> {
  const releases = await readdir(join(root, 'lib/modules')).catch(() => [] as string[]);
  if (releases.length !== 1) {
    throw new InfraError('E_KERNEL_PACKAGE', `${imagePackage} has ${releases.length} module trees under lib/modules, expected one`);
  }
  const release = releases[0]!;
  if (!existsSync(join(root, 'boot', `vmlinuz-${release}`))) {
    throw new InfraError('E_KERNEL_PACKAGE', `${imagePackage} has no boot/vmlinuz-${release}`);
  }
  return release;
}

/** Version constraint on a package in a Depends field, e.g. `>= 6.1.192-2`. */
export function dependsConstraint(depends: string, pkg: string): { op: string; version: string } | undefined {
  for (const clause of depends.split(',')) {
    const match = /^\s*([^\s(:]+)(?::\S+)?\s*(?:\(\s*([<>=]+)\s*([^)\s]+)\s*\))?/.exec(clause);
    if (match?.[1] === pkg && match[2] && match[3]) return { op: match[2], version: match[3] };
  }
  return undefined;
}

const DPKG_OPS: Record<string, string> = { '>=': 'ge', '<=': 'le', '>>': 'gt', '<<': 'lt', '=': 'eq' };

async function versionSatisfies(installed: string, op: string, wanted: string): Promise<boolean> {
  try {
    await runProcess('dpkg', ['--compare-versions', installed, DPKG_OPS[op] ?? 'ge', wanted], { code: 'E_DPKG', what: 'dpkg --compare-versions' });
    return true;
  } catch {
    return false;
  }
}

/** The host-arch kbuild package a headers package builds with, as apt describes it; it is downloaded, never installed. */
async function hostKbuildPackage(ctx: BuildContext, kbuild: string, headers: string): Promise<AptPackage> {
  const wanted = `${kbuild}:${HOST_ARCH}`;
  const found = (await ctx.apt.show([wanted])).get(wanted);
  if (!found) {
    throw new InfraError('E_KBUILD_MISSING', `${headers} builds modules with ${kbuild}, which is neither installed nor known to apt for ${HOST_ARCH}`, {
      hint: `apt-get update, or apt-get install -y ${kbuild}`,
    });
  }
  return found;
}

/**
 * Builds (or finds in the cache) the kernel a Debian package name selects: `linux-image-arm64` follows the
 * metapackage; a versioned name such as `linux-image-6.1.0-56-rt-arm64` is taken as is.
 */
export async function buildDebianKernel(packageName: string, ctx: BuildContext): Promise<KernelBuild> {
  const names = resolveKernelPackageNames(ctx.graph, packageName);
  const shown = await ctx.apt.show(kernelShowNames(names));
  const image = shown.get(`${names.image}:${GUEST_ARCH}`)!;
  const headers = shown.get(`${names.headers}:${GUEST_ARCH}`)!;
  const common = shown.get(names.headersCommon)!;
  const depmodVersion = ctx.hostVersions.get('kmod');
  // The host's kbuild when it is installed (linux-kbuild-6.1 is, from the requirements); any other kernel's comes from apt
  // as a host-arch package unpacked into the headers' cache entry, so a new kernel needs no hand-installed package.
  const installedKbuild = ctx.hostVersions.get(names.kbuild);
  const kbuildPackage = installedKbuild ? undefined : await hostKbuildPackage(ctx, names.kbuild, names.headers);
  const kbuildVersion = installedKbuild ?? kbuildPackage!.version;

  const kernelKey = cacheKey('kernel', { image: pin(image), depmod: depmodVersion, recipe: RECIPE });
  const kernel = await ensureEntry<KernelManifest>({
    cacheDir: ctx.cacheDir,
    piece: 'kernel',
    key: kernelKey,
    force: ctx.force,
    build: async (tmp) => {
      const [deb] = await fetchDebs(ctx.apt, [image], ctx.debDir, 'kernel', ctx.progress);
      ctx.progress('kernel', 'extract', describePackage(image));
      await extractDeb(deb!, tmp, ctx.signal);
      const release = await findRelease(tmp, image.name);
      ctx.progress('kernel', 'build', `depmod -b <entry> ${release}`);
      // Debian ships no modules.dep; modprobe and our load-order planner need one.
      await runProcess('depmod', ['-b', tmp, release], { code: 'E_DEPMOD', what: `depmod for ${release}`, signal: ctx.signal });
      await rm(join(tmp, 'usr/share/doc'), { recursive: true, force: true });
      return { release, packageVersion: image.version, image: `boot/vmlinuz-${release}` };
    },
  });
  ctx.progress('kernel', kernel.built ? 'done' : 'cached', `${names.image} ${image.version} → ${kernel.dir}`);

  const constraint = dependsConstraint(headers.depends, names.kbuild);
  if (constraint && !(await versionSatisfies(kbuildVersion, constraint.op, constraint.version))) {
    ctx.progress('kernel-headers', 'build', `warning: ${names.headers} wants ${names.kbuild} ${constraint.op} ${constraint.version}, host has ${kbuildVersion} (apt-get install --only-upgrade ${names.kbuild})`);
  }
  const headersKey = cacheKey('kernel-headers', { headers: pin(headers), common: pin(common), kbuild: kbuildVersion, kbuildUnpacked: kbuildPackage !== undefined, recipe: RECIPE });
  const headersEntry = await ensureEntry<HeadersManifest>({
    cacheDir: ctx.cacheDir,
    piece: 'kernel-headers',
    key: headersKey,
    force: ctx.force,
    build: async (tmp, finalDir) => {
      const debs = await fetchDebs(ctx.apt, [headers, common], ctx.debDir, 'kernel-headers', ctx.progress);
      ctx.progress('kernel-headers', 'extract', `${describePackage(headers)}, ${common.name}`);
      for (const deb of debs) await extractDeb(deb, tmp, ctx.signal);
      const release = names.headers.replace(/^linux-headers-/, '');
      const buildRel = `usr/src/${names.headers}`;
      // The headers' scripts/ and tools/ point at ../../lib/linux-kbuild-X: the host's installed copy, or the package unpacked here.
      await mkdir(join(tmp, 'usr/lib'), { recursive: true });
      if (kbuildPackage) {
        const [kbuildDeb] = await fetchDebs(ctx.apt, [kbuildPackage], ctx.debDir, 'kernel-headers', ctx.progress);
        ctx.progress('kernel-headers', 'extract', `${describePackage(kbuildPackage)} (host tools, not installed on this machine)`);
        await extractDeb(kbuildDeb!, tmp, ctx.signal);
      } else {
        ctx.progress('kernel-headers', 'build', `link scripts to /usr/lib/${names.kbuild}, rewrite Makefile`);
        await symlink(`/usr/lib/${names.kbuild}`, join(tmp, 'usr/lib', names.kbuild));
      }
      const makefile = join(tmp, buildRel, 'Makefile');
      const text = await readFile(makefile, 'utf8');
      const commonPath = `/usr/src/${names.headersCommon}`;
      if (!text.includes(commonPath)) {
        throw new InfraError('E_KERNEL_HEADERS', `${names.headers}'s Makefile does not include ${commonPath}; the fix-up no longer applies`, { evidence: text.split('\n').slice(0, 5) });
      }
      await writeFile(makefile, text.split(commonPath).join(join(finalDir, commonPath)));
      // lib/modules/<release>/build points at /usr/src on the host; nothing here uses it.
      await rm(join(tmp, 'lib'), { recursive: true, force: true });
      await rm(join(tmp, 'usr/share/doc'), { recursive: true, force: true });
      return { release, buildDir: buildRel };
    },
  });
  ctx.progress('kernel-headers', headersEntry.built ? 'done' : 'cached', `${names.headers} → ${headersEntry.dir}`);

  if (headersEntry.manifest.release !== kernel.manifest.release) {
    throw new InfraError('E_KERNEL_PACKAGE', `headers are for ${headersEntry.manifest.release}, the image is ${kernel.manifest.release}`);
  }
  return {
    artifact: {
      release: kernel.manifest.release,
      packageVersion: kernel.manifest.packageVersion,
      imagePath: join(kernel.dir, kernel.manifest.image),
      modulesRoot: kernel.dir,
      buildDir: join(headersEntry.dir, headersEntry.manifest.buildDir),
    },
    keys: { kernel: kernel.key, headers: headersEntry.key },
    dirs: { kernel: kernel.dir, headers: headersEntry.dir },
    built: { kernel: kernel.built, headers: headersEntry.built },
    packages: names,
  };
}

/** What identifies a package's bytes in a cache key. */
export function pin(pkg: AptPackage): { name: string; arch: string; version: string; sha256: string } {
  return { name: pkg.name, arch: pkg.arch, version: pkg.version, sha256: pkg.sha256 };
}
