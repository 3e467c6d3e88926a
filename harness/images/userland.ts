// The guest's programs (busybox, dropbear, kexec) with every shared library they load, from Debian's arm64 packages.
import { chmod, copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InfraError } from '../core/errors.ts';
import { GUEST_ARCH, type AptPackage, type DependencyGraph } from './apt.ts';
import { cacheKey, ensureEntry, sourceHash } from './cache.ts';
import type { BuildContext } from './context.ts';
import { extractDeb, fetchDebs } from './deb.ts';
import { pin } from './kernel.ts';
import { resolveLibraryClosure } from './library-closure.ts';

const RECIPE = sourceHash(import.meta.url, new URL('./elf.ts', import.meta.url), new URL('./library-closure.ts', import.meta.url));

export interface GuestProgram {
  package: string;
  /** Where the package installs it. */
  from: string;
  /** Where it goes in the guest; everything lands in /bin, which PATH and dropbear's default PATH both cover. */
  to: string;
}

export const GUEST_PROGRAMS: readonly GuestProgram[] = [
  { package: 'busybox-static', from: '/bin/busybox', to: '/bin/busybox' },
  { package: 'dropbear-bin', from: '/usr/sbin/dropbear', to: '/bin/dropbear' },
  { package: 'kexec-tools', from: '/sbin/kexec', to: '/bin/kexec' },
];

export function userlandAptRoots(programs: readonly GuestProgram[] = GUEST_PROGRAMS): string[] {
  return [...new Set(programs.map((p) => `${p.package}:${GUEST_ARCH}`))];
}

/** arm64 packages reachable from roots through Depends/Pre-Depends, taking the first arm64 choice of an `a | b`. */
export function reachableArm64Packages(graph: DependencyGraph, roots: string[], follow: (name: string) => boolean = () => true): string[] {
  const seen = new Set<string>(roots);
  const queue = [...roots];
  while (queue.length > 0) {
    const edges = graph.get(queue.shift()!) ?? [];
    let continuesGroup = false;
    let groupTaken = false;
    for (const edge of edges) {
      if (!continuesGroup) groupTaken = false;
      continuesGroup = edge.orNext;
      if (edge.type !== 'Depends' && edge.type !== 'PreDepends') continue;
      // Virtual names and arch-all packages (debconf, …) carry no arm64 code.
      const usable = !edge.virtual && edge.target.endsWith(`:${GUEST_ARCH}`);
      if (groupTaken || !usable) continue;
      groupTaken = true;
      if (!follow(edge.target) || seen.has(edge.target)) continue;
      seen.add(edge.target);
      queue.push(edge.target);
    }
  }
  return [...seen];
}

/** Library packages by Debian's own marks: the libs section, or a lib* name. */
export function isLibraryPackage(pkg: AptPackage): boolean {
  return /(^|\/)(old)?libs$/.test(pkg.section) || pkg.name.startsWith('lib');
}

/** The roots plus the library packages they pull in, following only library packages. */
export async function userlandPackages(ctx: Pick<BuildContext, 'apt' | 'graph'>, programs: readonly GuestProgram[] = GUEST_PROGRAMS): Promise<AptPackage[]> {
  const roots = userlandAptRoots(programs);
  const candidates = reachableArm64Packages(ctx.graph, roots);
  const shown = await ctx.apt.show(candidates);
  const keep = (name: string) => roots.includes(name) || isLibraryPackage(shown.get(name)!);
  return reachableArm64Packages(ctx.graph, roots, keep).map((name) => shown.get(name)!).sort((a, b) => a.name.localeCompare(b.name));
}

/** Guest layout is merged-/usr: /usr/lib/X and /lib/X are one place, so everything is stored under /lib. */
export function mergedUsrPath(guestPath: string): string {
  return guestPath.replace(/^\/usr\/lib\//, '/lib/');
}

export interface UserlandManifest {
  /** Files under tree/, guest paths, with their modes. */
  files: Array<{ path: string; mode: number }>;
  packages: Array<{ name: string; version: string }>;
  libraries: Array<{ soname: string; path: string; neededBy: string }>;
}

export interface UserlandBuild {
  /** Folder whose contents go into the initramfs as they are. */
  tree: string;
  manifest: UserlandManifest;
  key: string;
  dir: string;
  built: boolean;
}

export async function buildUserland(ctx: BuildContext, programs: readonly GuestProgram[] = GUEST_PROGRAMS): Promise<UserlandBuild> {
  const packages = await userlandPackages(ctx, programs);
  const key = cacheKey('userland', { packages: packages.map(pin), programs, recipe: RECIPE });
  const entry = await ensureEntry<UserlandManifest>({
    cacheDir: ctx.cacheDir,
    piece: 'userland',
    key,
    force: ctx.force,
    build: async (tmp) => {
      const debs = await fetchDebs(ctx.apt, packages, ctx.debDir, 'userland', ctx.progress);
      const sysroot = join(tmp, 'sysroot');
      ctx.progress('userland', 'extract', `${packages.length} packages: ${packages.map((p) => p.name).join(' ')}`);
      for (const deb of debs) await extractDeb(deb, sysroot, ctx.signal);
      ctx.progress('userland', 'build', 'resolve ELF NEEDED closure');
      const closure = await resolveLibraryClosure(sysroot, programs.map((p) => p.from));
      const tree = join(tmp, 'tree');
      const files: UserlandManifest['files'] = [];
      const place = async (hostPath: string, guestPath: string, mode: number) => {
        if (files.some((f) => f.path === guestPath)) throw new InfraError('E_USERLAND', `two files want ${guestPath}`);
        await mkdir(dirname(join(tree, guestPath)), { recursive: true });
        await copyFile(hostPath, join(tree, guestPath));
        await chmod(join(tree, guestPath), mode);
        files.push({ path: guestPath, mode });
      };
      for (const program of programs) await place(join(sysroot, program.from), program.to, 0o755);
      const libraries: UserlandManifest['libraries'] = [];
      for (const object of closure.objects) {
        const guestPath = mergedUsrPath(object.guestPath);
        await place(object.hostPath, guestPath, 0o755);
        libraries.push({ soname: object.soname, path: guestPath, neededBy: object.neededBy });
      }
      await rm(sysroot, { recursive: true, force: true });
      return { files, packages: packages.map((p) => ({ name: p.name, version: p.version })), libraries };
    },
  });
  ctx.progress('userland', entry.built ? 'done' : 'cached', `${entry.manifest.files.length} files → ${entry.dir}`);
  return { tree: join(entry.dir, 'tree'), manifest: entry.manifest, key, dir: entry.dir, built: entry.built };
}
