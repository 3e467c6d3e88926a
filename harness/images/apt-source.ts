// Debian source packages through apt, with pilot's own deb-src list and state under the cache, never the host's sources.
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../core/errors.ts';
import { runProcess } from '../host/process.ts';

/**
 * Only the main suite: the security suite's source files answer 404 on deb.debian.org (measured for xen
 * 4.17.7+13-g2445b30a44-0+deb12u1, whose .dsc, .orig.tar.xz and .debian.tar.xz all do), so its versions would be unfetchable.
 */
export const DEBIAN_SOURCE_LINE = 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main';

export interface AptSourceOptions {
  /** Holds the deb-src list, apt's lists and its source package cache. */
  stateDir: string;
  signal?: AbortSignal | undefined;
  /** The deb-src line; tests may point it elsewhere. */
  sourceLine?: string;
}

/** `apt-cache showsrc` output → the versions listed, in order. */
export function parseShowSrcVersions(text: string): string[] {
  return [...text.matchAll(/^Version: (\S+)$/gm)].map((match) => match[1]!);
}

export class AptSource {
  private readonly stateDir: string;
  private readonly signal: AbortSignal | undefined;
  private readonly sourceLine: string;

  constructor(options: AptSourceOptions) {
    this.stateDir = options.stateDir;
    this.signal = options.signal;
    this.sourceLine = options.sourceLine ?? DEBIAN_SOURCE_LINE;
  }

  private get listsDir(): string {
    return join(this.stateDir, 'lists');
  }

  /** apt reads pilot's list only: no /etc/apt/sources.list.d, no host lists, its own source cache. */
  private options(): string[] {
    const args = [
      '-o', `Dir::Etc::SourceList=${join(this.stateDir, 'sources.list')}`,
      '-o', `Dir::Etc::SourceParts=${join(this.stateDir, 'sources.list.d')}`,
      '-o', `Dir::State::Lists=${this.listsDir}`,
      '-o', 'Dir::Cache::pkgcache=',
      '-o', `Dir::Cache::srcpkgcache=${join(this.stateDir, 'srcpkgcache.bin')}`,
    ];
    // Root's apt drops to _apt for downloads, which cannot write into root's cache.
    if (process.getuid?.() === 0) args.push('-o', 'APT::Sandbox::User=root');
    return args;
  }

  private async hasLists(): Promise<boolean> {
    const names = await readdir(this.listsDir).catch(() => [] as string[]);
    return names.some((name) => name.endsWith('_Sources') || /_Sources\.(lz4|xz|gz)$/.test(name));
  }

  /** Writes the list and runs `apt-get update` on it when no Sources index is there yet (or when forced). */
  async ensureLists(refresh = false): Promise<void> {
    await mkdir(join(this.listsDir, 'partial'), { recursive: true });
    await mkdir(join(this.stateDir, 'sources.list.d'), { recursive: true });
    await writeFile(join(this.stateDir, 'sources.list'), `${this.sourceLine}\n`);
    if (!refresh && (await this.hasLists())) return;
    await runProcess('apt-get', [...this.options(), 'update', '-q'], {
      code: 'E_APT_SOURCE',
      what: `apt-get update for ${this.sourceLine}`,
      signal: this.signal,
      timeoutMs: 300_000,
    });
  }

  /** The versions of a source package the list offers. */
  async versions(sourcePackage: string): Promise<string[]> {
    await this.ensureLists();
    const { stdout } = await runProcess('apt-cache', [...this.options(), 'showsrc', '--only-source', sourcePackage], {
      code: 'E_APT_SOURCE',
      what: `apt-cache showsrc ${sourcePackage}`,
      signal: this.signal,
    });
    const versions = parseShowSrcVersions(stdout);
    if (versions.length === 0) throw new InfraError('E_APT_SOURCE', `${this.sourceLine} has no source package ${sourcePackage}`);
    return versions;
  }

  /**
   * `apt-get source --download-only` into dir (apt checks every file against the signed Sources index), then
   * `dpkg-source -x` into dir/<unpackInto>. Returns the unpacked tree.
   */
  async fetchAndUnpack(sourcePackage: string, version: string, dir: string, unpackInto = 'src'): Promise<string> {
    await this.ensureLists();
    await mkdir(dir, { recursive: true });
    await runProcess('apt-get', [...this.options(), 'source', '--download-only', '-q', `${sourcePackage}=${version}`], {
      code: 'E_APT_SOURCE',
      what: `apt-get source ${sourcePackage}=${version}`,
      cwd: dir,
      signal: this.signal,
      timeoutMs: 600_000,
      hint: `the lists under ${this.listsDir} may be stale: delete that folder and build again`,
    });
    const dsc = (await readdir(dir)).find((name) => name.endsWith('.dsc'));
    if (!dsc) throw new InfraError('E_APT_SOURCE', `apt-get source ${sourcePackage}=${version} left no .dsc in ${dir}`);
    const tree = join(dir, unpackInto);
    // dpkg-source checks the files against the .dsc; the .dsc itself was checked by apt against the signed index.
    await runProcess('dpkg-source', ['-x', dsc, unpackInto], { code: 'E_APT_SOURCE', what: `dpkg-source -x ${dsc}`, cwd: dir, signal: this.signal, timeoutMs: 300_000 });
    if (!(await stat(tree).catch(() => undefined))?.isDirectory()) throw new InfraError('E_APT_SOURCE', `dpkg-source -x ${dsc} made no ${unpackInto}/`);
    return tree;
  }
}
