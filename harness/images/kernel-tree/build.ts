// `pilot kernel-tree build <recipe>[:<variant>]`: a kernel build tree from a Debian source package, configured from a
// recipe's fragment on top of allnoconfig, patched, built, and cached. A variant starts from a copy of the finished base
// (cp -a keeps the timestamps), so only what its extra patches touch is rebuilt.
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InfraError, InputError } from '../../core/errors.ts';
import { runProcess } from '../../host/process.ts';
import { Apt, type AptPackage } from '../apt.ts';
import { ensureEntry, readEntry, withCacheLock } from '../cache.ts';
import { defaultCacheDir } from '../cache-dir.ts';
import { extractDeb, fetchDebs } from '../deb.ts';
import type { ProgressSink } from '../progress.ts';
import { describeMismatches, fragmentMismatches, parseDotConfig, parseFragment } from './fragment.ts';
import { KERNEL_TREE_PIECE, baseTreeKey, variantTreeKey, type NamedText } from './key.ts';
import { CROSS_COMPILE, compilerWarnings, makeArguments, runKbuild } from './make.ts';
import { applyPatches } from './patches.ts';
import { formatTreeSelector, loadRecipe, type KernelTreeRecipe, type TreeSelector } from './recipe.ts';

/** The tree inside an entry: what `pilot run --kernel` is given. */
export const TREE_DIR = 'linux';
/** Beside the tree in its entry: make's output of the build that made it (the last 4 MB). */
export const BUILD_LOG = 'build.log';
/** Other pilot builds must not wait half an hour on the image cache's lock: trees have their own cache root and lock. */
export const KERNEL_TREES_SUBDIR = 'kernel-trees';
/** A second build of the same tree waits for the first; a cold build on 2 cores can take half an hour. */
const LOCK_WAIT_MS = 2 * 60 * 60_000;

export interface KernelTreeManifest {
  recipe: string;
  variant?: string | undefined;
  source: { name: string; version: string };
  release: string;
  /** Relative to the entry. */
  tree: string;
  /** File names of every patch in the tree, base ones first. */
  patches: string[];
  modules: boolean;
  /** The base entry a variant was copied from. */
  baseKey?: string | undefined;
  /** Wall time of this entry's own make runs (a variant's excludes its base). */
  buildMs: number;
}

export interface KernelTree {
  selector: string;
  /** The build tree, for `pilot run --kernel`. */
  path: string;
  key: string;
  built: boolean;
  manifest: KernelTreeManifest;
}

export interface KernelTreeOptions {
  cacheDir?: string | undefined;
  recipesDir?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Rebuild the asked-for entry (not its base) even when cached. */
  force?: boolean | undefined;
  progress?: ProgressSink | undefined;
  /** For tests: what apt says about the source package and where its .deb is. */
  source?: SourceProvider | undefined;
}

/** Where the source package comes from: apt (the default), or a fake in tests. */
export interface SourceProvider {
  describe(name: string): Promise<AptPackage>;
  fetch(pkg: AptPackage): Promise<string>;
}

function aptSource(cacheDir: string, progress: ProgressSink, signal: AbortSignal | undefined): SourceProvider {
  const apt = new Apt({ stateDir: join(cacheDir, 'apt'), signal });
  return {
    describe: async (name) => (await apt.show([name])).get(name)!,
    fetch: async (pkg) => (await fetchDebs(apt, [pkg], join(cacheDir, 'debs'), KERNEL_TREE_PIECE, progress))[0]!,
  };
}

async function compilerVersion(signal?: AbortSignal): Promise<string> {
  const { stdout } = await runProcess(`${CROSS_COMPILE}gcc`, ['--version'], { code: 'E_KERNEL_TREE_BUILD', what: 'ask the cross compiler its version', signal });
  return stdout.split('\n')[0]!.trim();
}

async function readNamed(paths: readonly string[]): Promise<NamedText[]> {
  return Promise.all(paths.map(async (path) => ({ name: basename(path), text: await readFile(path, 'utf8') })));
}

interface Plan {
  recipe: KernelTreeRecipe;
  selector: TreeSelector;
  source: AptPackage;
  baseKey: string;
  variantKey: string | undefined;
  fragmentText: string;
}

async function plan(selector: TreeSelector, options: KernelTreeOptions, provider: SourceProvider): Promise<Plan> {
  const recipe = await loadRecipe(selector, options.recipesDir);
  const [source, fragmentText, patches, compiler] = await Promise.all([
    provider.describe(recipe.source),
    readFile(recipe.configPath, 'utf8'),
    readNamed(recipe.patches),
    compilerVersion(options.signal),
  ]);
  parseFragment(fragmentText, recipe.configPath);
  const baseKey = baseTreeKey({ source, fragment: fragmentText, patches, compiler });
  const variantKey = selector.variant ? variantTreeKey(baseKey, await readNamed(recipe.variants.get(selector.variant)!)) : undefined;
  return { recipe, selector, source, baseKey, variantKey, fragmentText };
}

function treesRoot(options: KernelTreeOptions): string {
  return join(options.cacheDir ?? defaultCacheDir(), KERNEL_TREES_SUBDIR);
}

function toTree(selector: TreeSelector, entry: { key: string; dir: string; built: boolean; manifest: KernelTreeManifest }): KernelTree {
  return { selector: formatTreeSelector(selector), path: join(entry.dir, entry.manifest.tree), key: entry.key, built: entry.built, manifest: entry.manifest };
}

/** The cached tree for a selector, or undefined when it has not been built (asks apt, downloads nothing). */
export async function findKernelTree(selector: TreeSelector, options: KernelTreeOptions = {}): Promise<KernelTree | undefined> {
  const progress = options.progress ?? (() => {});
  const provider = options.source ?? aptSource(options.cacheDir ?? defaultCacheDir(), progress, options.signal);
  const planned = await plan(selector, options, provider);
  const entry = await readEntry<KernelTreeManifest>(treesRoot(options), KERNEL_TREE_PIECE, planned.variantKey ?? planned.baseKey);
  return entry && toTree(selector, entry);
}

/** Builds (or finds) the tree a selector names; a variant builds its base first when that is not cached. */
export async function buildKernelTree(selector: TreeSelector, options: KernelTreeOptions = {}): Promise<KernelTree> {
  const progress = options.progress ?? (() => {});
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const provider = options.source ?? aptSource(cacheDir, progress, options.signal);
  const root = treesRoot(options);
  const planned = await plan(selector, options, provider);
  const name = formatTreeSelector(selector);
  return withCacheLock(
    root,
    async () => {
      const base = await ensureEntry<KernelTreeManifest>({
        cacheDir: root,
        piece: KERNEL_TREE_PIECE,
        key: planned.baseKey,
        force: options.force && !selector.variant,
        build: (tmp) => buildBase(planned, tmp, provider, options, progress),
      });
      progress(KERNEL_TREE_PIECE, base.built ? 'done' : 'cached', `${planned.recipe.name} ${planned.source.version} → ${join(base.dir, TREE_DIR)}`);
      if (!selector.variant) return toTree(selector, base);
      const variant = await ensureEntry<KernelTreeManifest>({
        cacheDir: root,
        piece: KERNEL_TREE_PIECE,
        key: planned.variantKey!,
        force: options.force,
        build: (tmp) => buildVariant(planned, base, tmp, options, progress),
      });
      progress(KERNEL_TREE_PIECE, variant.built ? 'done' : 'cached', `${name} → ${join(variant.dir, TREE_DIR)}`);
      return toTree(selector, variant);
    },
    { signal: options.signal, timeoutMs: LOCK_WAIT_MS, onWait: (pid) => progress(KERNEL_TREE_PIECE, 'build', `waiting for another kernel-tree build (pid ${pid})`) },
  );
}

/** The source tarball inside Debian's linux-source-X.Y package. */
async function unpackSource(deb: string, tmp: string, pkg: AptPackage, signal: AbortSignal | undefined): Promise<string> {
  const unpacked = join(tmp, 'deb');
  await extractDeb(deb, unpacked, signal);
  const tarball = join(unpacked, 'usr/src', `${pkg.name}.tar.xz`);
  if (!(await stat(tarball).catch(() => undefined))) {
    throw new InfraError('E_KERNEL_TREE_SOURCE', `${pkg.name} ${pkg.version} holds no usr/src/${pkg.name}.tar.xz`, { hint: 'Debian changed the package\'s shape; look inside with dpkg-deb -c' });
  }
  await runProcess('tar', ['-xf', tarball, '-C', tmp], { code: 'E_KERNEL_TREE_SOURCE', what: `unpack ${basename(tarball)}`, signal });
  await rm(unpacked, { recursive: true, force: true });
  const tree = join(tmp, TREE_DIR);
  await rename(join(tmp, pkg.name), tree).catch((error: unknown) => {
    throw new InfraError('E_KERNEL_TREE_SOURCE', `${basename(tarball)} did not unpack into ${pkg.name}/`, { cause: error });
  });
  return tree;
}

/** Reads the tree's .config and fails naming every fragment option that did not take its value. */
export async function verifyFragment(tree: string, fragmentText: string, fragmentPath: string): Promise<Map<string, string>> {
  const config = parseDotConfig(await readFile(join(tree, '.config'), 'utf8'));
  const mismatches = fragmentMismatches(parseFragment(fragmentText, fragmentPath), config);
  if (mismatches.length > 0) {
    throw new InputError('E_KERNEL_TREE_CONFIG', `${mismatches.length} option(s) of ${basename(fragmentPath)} did not take their value: ${mismatches.map((m) => m.option).join(', ')}`, {
      evidence: describeMismatches(mismatches, fragmentPath),
      hint: 'add what they depend on to the fragment (make ARCH=arm64 menuconfig, then / and the option name, shows the dependencies)',
    });
  }
  return config;
}

async function buildTargets(tree: string): Promise<string[]> {
  const config = parseDotConfig(await readFile(join(tree, '.config'), 'utf8'));
  // `modules` also writes Module.symvers, which an out-of-tree module (the simulated SoC) builds against.
  return config.get('CONFIG_MODULES') === 'y' ? ['Image', 'modules'] : ['Image'];
}

async function buildAndCheck(planned: Plan, tree: string, options: KernelTreeOptions, progress: ProgressSink, label: string) {
  const targets = await buildTargets(tree);
  progress(KERNEL_TREE_PIECE, 'build', `${label}: nice make ${targets.join(' ')}`);
  const made = await runKbuild({ tree, targets, signal: options.signal, onProgress: (detail) => progress(KERNEL_TREE_PIECE, 'build', `${label}: ${detail}`) });
  await writeFile(join(dirname(tree), BUILD_LOG), made.output);
  const warnings = compilerWarnings(made.output);
  if (warnings.length > 0) progress(KERNEL_TREE_PIECE, 'build', `${label}: ${warnings.length} compiler warning(s), first: ${warnings[0]} (all in ${BUILD_LOG} beside the tree)`);
  // A patch may change Kconfig, and kbuild re-syncs the config: check again after the build.
  await verifyFragment(tree, planned.fragmentText, planned.recipe.configPath);
  const release = (await readFile(join(tree, 'include/config/kernel.release'), 'utf8')).trim();
  return { made, release, modules: targets.includes('modules') };
}

async function buildBase(planned: Plan, tmp: string, provider: SourceProvider, options: KernelTreeOptions, progress: ProgressSink): Promise<KernelTreeManifest> {
  const { recipe, source } = planned;
  const deb = await provider.fetch(source);
  progress(KERNEL_TREE_PIECE, 'extract', `${source.name} ${source.version}`);
  const tree = await unpackSource(deb, tmp, source, options.signal);
  await applyPatches(tree, recipe.patches, options.signal, (patch) => progress(KERNEL_TREE_PIECE, 'build', `patch -p1 < ${basename(patch)}`));
  progress(KERNEL_TREE_PIECE, 'build', `make allnoconfig with ${basename(recipe.configPath)}`);
  await runProcess('make', makeArguments({ targets: ['allnoconfig'], variables: [`KCONFIG_ALLCONFIG=${recipe.configPath}`] }), {
    code: 'E_KERNEL_TREE_CONFIG',
    what: `make allnoconfig for ${recipe.name}`,
    cwd: tree,
    signal: options.signal,
  });
  await verifyFragment(tree, planned.fragmentText, recipe.configPath);
  const { made, release, modules } = await buildAndCheck(planned, tree, options, progress, recipe.name);
  return {
    recipe: recipe.name,
    source: { name: source.name, version: source.version },
    release,
    tree: TREE_DIR,
    patches: recipe.patches.map((patch) => basename(patch)),
    modules,
    buildMs: made.durationMs,
  };
}

async function buildVariant(
  planned: Plan,
  base: { key: string; dir: string; manifest: KernelTreeManifest },
  tmp: string,
  options: KernelTreeOptions,
  progress: ProgressSink,
): Promise<KernelTreeManifest> {
  const variant = planned.selector.variant!;
  const extra = planned.recipe.variants.get(variant)!;
  const tree = join(tmp, TREE_DIR);
  progress(KERNEL_TREE_PIECE, 'build', `copy the ${planned.recipe.name} base tree (cp -a keeps timestamps)`);
  await runProcess('cp', ['-a', join(base.dir, base.manifest.tree), tree], { code: 'E_KERNEL_TREE_BUILD', what: `copy the ${planned.recipe.name} base tree`, signal: options.signal });
  await applyPatches(tree, extra, options.signal, (patch) => progress(KERNEL_TREE_PIECE, 'build', `patch -p1 < ${basename(patch)}`));
  const { made, release, modules } = await buildAndCheck(planned, tree, options, progress, `${planned.recipe.name}:${variant}`);
  return {
    recipe: planned.recipe.name,
    variant,
    source: base.manifest.source,
    release,
    tree: TREE_DIR,
    patches: [...base.manifest.patches, ...extra.map((patch) => basename(patch))],
    modules,
    baseKey: base.key,
    buildMs: made.durationMs,
  };
}
