// Asks apt about arm64 Debian packages and downloads them into a verified .deb cache.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../core/errors.ts';
import { runProcess } from '../host/process.ts';

export const GUEST_ARCH = 'arm64';
/** The Debian architecture of the machine pilot runs on, for host tools taken from apt (a kernel's kbuild). */
export const HOST_ARCH = ({ x64: 'amd64', arm64: 'arm64', ia32: 'i386' } as Record<string, string>)[process.arch] ?? process.arch;

/** One package version as `apt-cache show` describes it. */
export interface AptPackage {
  name: string;
  /** arm64 or all. */
  arch: string;
  version: string;
  section: string;
  depends: string;
  filename: string;
  size: number;
  sha256: string;
}

/** An edge of `apt-cache depends` output. */
export interface AptEdge {
  type: string;
  /** Target as apt prints it, without <>, e.g. libc6:arm64. */
  target: string;
  /** Printed in <> : a virtual or cross-arch name that only its providers satisfy. */
  virtual: boolean;
  providers: string[];
  /** `|Depends:`: this edge or the next one. */
  orNext: boolean;
}

export type DependencyGraph = Map<string, AptEdge[]>;

/** `apt-cache depends` output → package → edges. Package lines start in column 0, edges at 1–2, providers at 4. */
export function parseDependsOutput(text: string): DependencyGraph {
  const graph: DependencyGraph = new Map();
  let edges: AptEdge[] | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) {
      edges = [];
      graph.set(line.trim(), edges);
      continue;
    }
    const edge = /^ ([ |])([A-Za-z-]+): (<)?([^<>\s]+)>?\s*$/.exec(line);
    if (edge && edges) {
      edges.push({ type: edge[2]!, target: edge[4]!, virtual: edge[3] === '<', providers: [], orNext: edge[1] === '|' });
      continue;
    }
    const provider = /^ {4}(\S+)\s*$/.exec(line);
    if (provider && edges?.length) edges[edges.length - 1]!.providers.push(provider[1]!);
  }
  return graph;
}

/** `apt-cache show` stanzas → packages keyed by `name:arch` (arch-all packages also by bare name). */
export function parseShowOutput(text: string): Map<string, AptPackage> {
  const out = new Map<string, AptPackage>();
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last = '';
    for (const line of stanza.split('\n')) {
      if (/^\s/.test(line) && last) {
        fields.set(last, `${fields.get(last)}\n${line.trim()}`);
        continue;
      }
      const at = line.indexOf(':');
      if (at <= 0) continue;
      last = line.slice(0, at);
      fields.set(last, line.slice(at + 1).trim());
    }
    const name = fields.get('Package');
    if (!name) continue;
    const pkg: AptPackage = {
      name,
      arch: fields.get('Architecture') ?? '',
      version: fields.get('Version') ?? '',
      section: fields.get('Section') ?? '',
      depends: [fields.get('Pre-Depends'), fields.get('Depends')].filter(Boolean).join(', '),
      filename: fields.get('Filename') ?? '',
      size: Number(fields.get('Size') ?? 0),
      sha256: fields.get('SHA256') ?? '',
    };
    out.set(`${name}:${pkg.arch}`, pkg);
    if (pkg.arch === 'all' && !out.has(name)) out.set(name, pkg);
  }
  return out;
}

/** Strips the `:arch` qualifier. */
export function baseName(name: string): string {
  return name.replace(/:[a-z0-9]+$/, '');
}

export function debFileName(pkg: AptPackage): string {
  return `${pkg.name}_${pkg.version.replace(/:/g, '%3a')}_${pkg.arch}.deb`;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface AptOptions {
  /** Holds apt's binary package cache (Debian images disable the system one, which makes every apt-cache call cost 1.4 s). */
  stateDir: string;
  signal?: AbortSignal | undefined;
}

export class Apt {
  private readonly stateDir: string;
  private readonly signal: AbortSignal | undefined;
  private readonly shown = new Map<string, AptPackage>();

  constructor(options: AptOptions) {
    this.stateDir = options.stateDir;
    this.signal = options.signal;
  }

  private cacheArgs(): string[] {
    return ['-o', `Dir::Cache::pkgcache=${join(this.stateDir, 'pkgcache.bin')}`, '-o', 'Dir::Cache::srcpkgcache='];
  }

  /** The whole Depends/Pre-Depends graph reachable from roots, in one apt-cache call. */
  async dependencyGraph(roots: string[]): Promise<DependencyGraph> {
    await mkdir(this.stateDir, { recursive: true });
    const { stdout } = await runProcess(
      'apt-cache',
      [...this.cacheArgs(), 'depends', '--recurse', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', ...roots],
      { code: 'E_APT_METADATA', what: `apt-cache depends ${roots.join(' ')}`, signal: this.signal, hint: 'run `apt-get update` (arm64 lists need `dpkg --add-architecture arm64` first)' },
    );
    const graph = parseDependsOutput(stdout);
    for (const root of roots) {
      if (!graph.has(root)) throw new InfraError('E_APT_METADATA', `apt does not know ${root}`, { hint: 'run `apt-get update`; check `apt-cache policy ' + root + '`' });
    }
    return graph;
  }

  /** Candidate versions of the named packages (`name:arm64` or an arch-all `name`), in one apt-cache call. */
  async show(names: string[]): Promise<Map<string, AptPackage>> {
    const wanted = [...new Set(names)].filter((n) => !this.shown.has(n));
    if (wanted.length > 0) {
      await mkdir(this.stateDir, { recursive: true });
      const { stdout } = await runProcess('apt-cache', [...this.cacheArgs(), 'show', '--no-all-versions', ...wanted], {
        code: 'E_APT_METADATA',
        what: `apt-cache show ${wanted.join(' ')}`,
        signal: this.signal,
        hint: 'run `apt-get update`',
      });
      const parsed = parseShowOutput(stdout);
      for (const name of wanted) {
        const pkg = parsed.get(name) ?? parsed.get(`${baseName(name)}:all`);
        if (!pkg) throw new InfraError('E_APT_METADATA', `apt-cache show printed nothing for ${name}`, { hint: 'run `apt-get update`' });
        if (!pkg.sha256 || !pkg.filename) throw new InfraError('E_APT_METADATA', `${name} has no downloadable candidate (installed only?)`);
        this.shown.set(name, pkg);
      }
    }
    return new Map(names.map((n) => [n, this.shown.get(n)!]));
  }

  /**
   * Downloads the packages not yet in debDir with one apt-get call, checks each against apt's SHA256,
   * and renames the good ones into debDir. Returns every package's path, in order.
   */
  async download(packages: AptPackage[], debDir: string): Promise<{ paths: string[]; downloaded: AptPackage[] }> {
    const paths = packages.map((pkg) => join(debDir, debFileName(pkg)));
    const missing: AptPackage[] = [];
    for (const [i, pkg] of packages.entries()) {
      // Only verified files are ever renamed into debDir, so a name match with the right size is trusted.
      const present = await stat(paths[i]!).catch(() => undefined);
      if (!present || present.size !== pkg.size) missing.push(pkg);
    }
    if (missing.length === 0) return { paths, downloaded: [] };
    await mkdir(debDir, { recursive: true });
    const tmp = await mkdtemp(join(debDir, '.download-'));
    try {
      const specs = missing.map((pkg) => (pkg.arch === 'all' ? `${pkg.name}=${pkg.version}` : `${pkg.name}:${pkg.arch}=${pkg.version}`));
      const args = [...this.cacheArgs(), 'download', '-q', ...specs];
      if (process.getuid?.() === 0) args.unshift('-o', 'APT::Sandbox::User=root');
      await runProcess('apt-get', args, {
        code: 'E_APT_DOWNLOAD',
        what: `apt-get download ${specs.join(' ')}`,
        cwd: tmp,
        signal: this.signal,
        hint: 'the package lists may be stale: run `apt-get update`',
      });
      for (const pkg of missing) {
        const file = join(tmp, debFileName(pkg));
        const digest = await sha256File(file).catch(() => undefined);
        if (digest === undefined) {
          const got = (await readdir(tmp)).join(', ') || 'nothing';
          throw new InfraError('E_APT_DOWNLOAD', `apt-get download left no ${debFileName(pkg)} (got ${got})`);
        }
        if (digest !== pkg.sha256) {
          throw new InfraError('E_APT_DOWNLOAD', `${debFileName(pkg)} has SHA256 ${digest}, apt's index says ${pkg.sha256}`, {
            hint: 'run `apt-get update` and build again',
          });
        }
        await rename(file, join(debDir, debFileName(pkg)));
      }
      return { paths, downloaded: missing };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
}
