// Resolves the shared-library closure of binaries inside an extracted Debian root, as the arm64 loader would.
import { lstat, readFile, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { InfraError } from '../core/errors.ts';
import { EM_AARCH64, parseElf, type ElfInfo } from './elf.ts';

/** Where Debian's arm64 loader looks when no RUNPATH says otherwise (multiarch first). */
export const DEFAULT_LIBRARY_DIRS = ['/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib', '/usr/lib'];

export interface ResolvedObject {
  /** Path inside the guest where the loader finds it, e.g. /lib/aarch64-linux-gnu/libc.so.6. */
  guestPath: string;
  /** The regular file on the host, after following symlinks inside the root. */
  hostPath: string;
  /** Which binary or library first asked for it, and by which name. */
  neededBy: string;
  soname: string;
}

export interface Closure {
  /** Loaders named by PT_INTERP, plus every NEEDED library, each once. */
  objects: ResolvedObject[];
  /** The parsed ELF of every input binary, by guest path. */
  binaries: Map<string, ElfInfo>;
}

/** Follows symlinks the way the guest would see them: absolute targets are taken relative to root. */
export async function resolveInRoot(root: string, guestPath: string): Promise<string | undefined> {
  let current = posix.normalize(guestPath);
  for (let hops = 0; hops < 40; hops++) {
    // Resolve each parent component too: Debian roots have symlinked folders (e.g. /lib64).
    const parts = current.split('/').filter(Boolean);
    let resolvedPrefix = '/';
    let restarted = false;
    for (let i = 0; i < parts.length; i++) {
      const candidate = posix.join(resolvedPrefix, parts[i]!);
      const stats = await lstat(root + candidate).catch(() => undefined);
      if (!stats) return undefined;
      if (stats.isSymbolicLink()) {
        const target = await readlink(root + candidate);
        const base = target.startsWith('/') ? target : posix.join(resolvedPrefix, target);
        current = posix.normalize(posix.join(base, ...parts.slice(i + 1)));
        restarted = true;
        break;
      }
      resolvedPrefix = candidate;
    }
    if (!restarted) return root + resolvedPrefix;
  }
  return undefined;
}

function expandOrigin(dir: string, objectGuestPath: string): string {
  return dir.replace(/\$(ORIGIN|\{ORIGIN\})/g, posix.dirname(objectGuestPath));
}

/**
 * Finds, for each binary (guest paths inside root), its loader and the transitive DT_NEEDED libraries.
 * A soname found nowhere is an E_ELF_NEEDED error naming the object that needs it.
 */
export async function resolveLibraryClosure(
  root: string,
  binaries: string[],
  options: { machine?: number; libraryDirs?: string[] } = {},
): Promise<Closure> {
  const machine = options.machine ?? EM_AARCH64;
  const libraryDirs = options.libraryDirs ?? DEFAULT_LIBRARY_DIRS;
  const objects = new Map<string, ResolvedObject>();
  const bySoname = new Map<string, ResolvedObject>();
  const parsed = new Map<string, ElfInfo>();
  const binaryInfo = new Map<string, ElfInfo>();

  const load = async (guestPath: string): Promise<{ info: ElfInfo; hostPath: string } | undefined> => {
    const hostPath = await resolveInRoot(root, guestPath);
    if (!hostPath) return undefined;
    const data = await readFile(hostPath).catch(() => undefined);
    if (!data) return undefined;
    const info = parseElf(data, guestPath);
    return { info, hostPath };
  };

  const queue: Array<{ guestPath: string; info: ElfInfo }> = [];
  for (const binary of binaries) {
    const loaded = await load(binary);
    if (!loaded) throw new InfraError('E_ELF_MISSING', `${binary} is not in the extracted packages under ${root}`);
    if (loaded.info.machine !== machine) {
      throw new InfraError('E_ELF_MACHINE', `${binary} is for ELF machine ${loaded.info.machine}, expected ${machine}`);
    }
    binaryInfo.set(binary, loaded.info);
    queue.push({ guestPath: binary, info: loaded.info });
    if (loaded.info.interpreter && !objects.has(loaded.info.interpreter)) {
      const interp = await load(loaded.info.interpreter);
      if (!interp) {
        throw new InfraError('E_ELF_NEEDED', `${binary} needs the loader ${loaded.info.interpreter}, which no extracted package provides`);
      }
      const object: ResolvedObject = { guestPath: loaded.info.interpreter, hostPath: interp.hostPath, neededBy: binary, soname: posix.basename(loaded.info.interpreter) };
      objects.set(object.guestPath, object);
      parsed.set(object.guestPath, interp.info);
      if (interp.info.soname) bySoname.set(interp.info.soname, object);
    }
  }

  while (queue.length > 0) {
    const { guestPath: requester, info } = queue.shift()!;
    for (const soname of info.needed) {
      if (bySoname.has(soname)) continue;
      const dirs = [
        ...(info.runpath.length ? [] : info.rpath),
        ...info.runpath,
        ...libraryDirs,
      ].map((dir) => expandOrigin(dir, requester));
      let found: ResolvedObject | undefined;
      let foundInfo: ElfInfo | undefined;
      for (const dir of dirs) {
        const candidate = posix.join(dir, soname);
        const loaded = await load(candidate).catch(() => undefined);
        // The loader skips objects of another machine or class, and so do we.
        if (!loaded || loaded.info.machine !== machine || loaded.info.bits !== info.bits) continue;
        found = { guestPath: candidate, hostPath: loaded.hostPath, neededBy: requester, soname };
        foundInfo = loaded.info;
        break;
      }
      if (!found || !foundInfo) {
        throw new InfraError('E_ELF_NEEDED', `${requester} needs ${soname}, which is in none of ${dirs.join(', ')} under ${root}`, {
          hint: 'the package that ships it is missing from the library closure (apt-cache depends)',
        });
      }
      bySoname.set(soname, found);
      if (!objects.has(found.guestPath)) {
        objects.set(found.guestPath, found);
        parsed.set(found.guestPath, foundInfo);
        queue.push({ guestPath: found.guestPath, info: foundInfo });
      }
    }
  }
  return { objects: [...objects.values()], binaries: binaryInfo };
}
