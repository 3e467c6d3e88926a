// The guest's initramfs: /init and /etc from images/rootfs, the userland piece, ordered kernel modules, the SSH key,
// and (optionally) the simulated SoC: its module under extra/ and its firmware under /lib/firmware.
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError } from '../core/errors.ts';
import { cacheKey, ensureEntry, sha256Hex, sourceHash } from './cache.ts';
import type { BuildContext } from './context.ts';
import type { CpioEntry } from './cpio.ts';
import { normalizeEntries, writeGzippedCpio } from './cpio.ts';
import type { KernelArtifact, SimulatedSoc } from './image-set.ts';
import { moduleName, planModuleLoad, readModuleIndex } from './modules.ts';
import { readModinfo } from './sim-module/modinfo.ts';
import { SIM_MODULE_GUEST_PATH } from './soc.ts';
import { runProcess } from '../host/process.ts';
import type { UserlandBuild } from './userland.ts';

/** /init and the static /etc files; every file here is part of the initramfs cache key. */
export const ROOTFS_TEMPLATE_DIR = fileURLToPath(new URL('../../images/rootfs/', import.meta.url));
export const INITRAMFS_FILE = 'initramfs.cpio.gz';
/** Per-release load list /init reads, paths relative to lib/modules/<release>. */
export const MODULE_LOAD_LIST = 'pilot-modules.load';
/** Where the kernel's direct firmware loader looks first. */
export const GUEST_FIRMWARE_DIR = 'lib/firmware';

const RECIPE = sourceHash(import.meta.url, new URL('./cpio.ts', import.meta.url), new URL('./modules.ts', import.meta.url));

/** Folder entries for every parent of path (the kernel's unpacker creates no missing parents), outermost first. */
export function parentDirEntries(path: string, mode = 0o755): CpioEntry[] {
  const parts = path.replace(/^\/+/, '').split('/').slice(0, -1);
  return parts.map((_, n): CpioEntry => ({ type: 'dir', path: parts.slice(0, n + 1).join('/'), mode }));
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else out.push(path);
  }
  return out.sort();
}

/** Hash of the template files (names and contents), so editing /init changes the initramfs key and nothing else. */
export async function templateHash(dir = ROOTFS_TEMPLATE_DIR): Promise<string> {
  const parts: string[] = [];
  for (const file of await walk(dir)) parts.push(relative(dir, file), sha256Hex(await readFile(file)));
  return sha256Hex(parts.join('\0'));
}

function templateMode(rel: string): number {
  if (rel === 'init') return 0o755;
  if (rel === 'etc/shadow') return 0o600;
  return 0o644;
}

/** The skeleton every guest has: merged-/usr symlinks, mount points, /dev/console for the kernel's first open. */
export function skeletonEntries(): CpioEntry[] {
  const dirs: Array<[string, number]> = [
    ['bin', 0o755], ['dev', 0o755], ['etc', 0o755], ['etc/dropbear', 0o700], ['etc/pilot', 0o755], ['lib', 0o755],
    ['lib/modules', 0o755], ['mnt', 0o755], ['proc', 0o555], ['root', 0o700], ['root/.ssh', 0o700], ['run', 0o755],
    ['sys', 0o555], ['tmp', 0o1777], ['usr', 0o755], ['var', 0o755],
  ];
  return [
    ...dirs.map(([path, mode]): CpioEntry => ({ type: 'dir', path, mode })),
    { type: 'symlink', path: 'sbin', target: 'bin' },
    { type: 'symlink', path: 'usr/bin', target: '../bin' },
    { type: 'symlink', path: 'usr/sbin', target: '../bin' },
    { type: 'symlink', path: 'usr/lib', target: '../lib' },
    { type: 'symlink', path: 'var/run', target: '../run' },
    { type: 'char', path: 'dev/console', mode: 0o600, major: 5, minor: 1 },
  ];
}

async function decompressModule(source: string, dest: string, signal?: AbortSignal): Promise<void> {
  if (source.endsWith('.ko')) return copyFile(source, dest);
  if (source.endsWith('.ko.gz')) return pipeline(createReadStream(source), createGunzip(), createWriteStream(dest));
  const tool = source.endsWith('.ko.xz') ? 'xz' : source.endsWith('.ko.zst') ? 'zstd' : undefined;
  if (!tool) throw new InfraError('E_MODULE_FORMAT', `unknown module compression: ${source}`);
  // busybox insmod reads plain ELF only, so compressed modules are unpacked on the host.
  await runProcess(tool, ['-dc', source], { code: 'E_MODULE_FORMAT', what: `${tool} -dc ${source}`, signal, stdoutFile: dest });
}

export interface StagedModules {
  release: string;
  /** Load order, relative to lib/modules/<release>, uncompressed. */
  loadOrder: string[];
  builtin: string[];
  /** Entries for lib/modules/<release>/…: modules, depmod's indexes, the load list. */
  entries: CpioEntry[];
}

/** An out-of-tree module to stage beside the kernel's own; not in the load list, /init loads it itself. */
export interface OutOfTreeModule {
  /** Path relative to lib/modules/<release>, e.g. extra/qcom_pas_sim.ko. */
  path: string;
  source: string;
}

/** /init loads out-of-tree modules with plain insmod, so every module their .modinfo depends on must load before them. */
async function checkOutOfTreeDependencies(outOfTree: readonly OutOfTreeModule[], loaded: readonly string[]): Promise<void> {
  const available = new Set(loaded.map(moduleName));
  for (const module of outOfTree) {
    const depends = (readModinfo(await readFile(module.source)).get('depends')?.[0] ?? '').split(',').filter(Boolean);
    const missing = depends.map(moduleName).filter((name) => !available.has(name));
    if (missing.length) {
      throw new InfraError('E_MODULE_DEPENDS', `${module.path} needs ${missing.join(', ')}, which the initramfs does not load before it`, {
        hint: 'add them to the module list (SIM_MODULE_DEPENDS for the simulated SoC)',
      });
    }
  }
}

/**
 * Copies the requested modules and their dependencies out of a kernel's module tree into stagingDir,
 * uncompressed, adds the out-of-tree ones, runs depmod there (so modprobe works in the guest) and writes
 * the load list /init follows. Also usable for a pushed kernel: its entries can go into a second cpio
 * appended to the initramfs.
 */
export async function stageModules(
  kernel: Pick<KernelArtifact, 'modulesRoot' | 'release'>,
  names: readonly string[],
  stagingDir: string,
  signal?: AbortSignal,
  outOfTree: readonly OutOfTreeModule[] = [],
  optional: ReadonlySet<string> = new Set(),
): Promise<StagedModules> {
  const { release } = kernel;
  const sourceDir = join(kernel.modulesRoot, 'lib/modules', release);
  const plan = planModuleLoad(await readModuleIndex(sourceDir), names, optional);
  await checkOutOfTreeDependencies(outOfTree, [...plan.loadOrder, ...plan.builtin]);
  const targetDir = join(stagingDir, 'lib/modules', release);
  await mkdir(targetDir, { recursive: true });
  const loadOrder: string[] = [];
  for (const path of plan.loadOrder) {
    const plain = path.replace(/\.(xz|zst|gz)$/, '');
    await mkdir(dirname(join(targetDir, plain)), { recursive: true });
    await decompressModule(join(sourceDir, path), join(targetDir, plain), signal);
    loadOrder.push(plain);
  }
  for (const index of ['modules.builtin', 'modules.builtin.modinfo', 'modules.order']) {
    await copyFile(join(sourceDir, index), join(targetDir, index)).catch(() => undefined);
  }
  for (const module of outOfTree) {
    await mkdir(dirname(join(targetDir, module.path)), { recursive: true });
    await copyFile(module.source, join(targetDir, module.path));
  }
  await runProcess('depmod', ['-b', stagingDir, release], { code: 'E_DEPMOD', what: `depmod for the initramfs modules of ${release}`, signal });
  await writeFile(join(targetDir, MODULE_LOAD_LIST), loadOrder.map((p) => `${p}\n`).join(''));
  const entries: CpioEntry[] = [];
  for (const file of await walk(targetDir)) {
    entries.push({ type: 'file', path: relative(stagingDir, file), mode: 0o644, source: file });
  }
  for (const dir of new Set(entries.map((e) => dirname(e.path)))) {
    for (let d = dir; d !== '.' && d !== 'lib'; d = dirname(d)) entries.push({ type: 'dir', path: d, mode: 0o755 });
  }
  return { release, loadOrder, builtin: plan.builtin, entries };
}

export interface InitramfsManifest {
  file: string;
  release: string;
  modules: string[];
  builtinModules: string[];
  bytes: number;
  members: number;
  /** The simulated SoC the archive carries, if any. */
  soc?: { key: string; module: string; defines: string[] } | undefined;
}

export interface InitramfsInputs {
  kernel: KernelArtifact;
  kernelKey: string;
  userland: UserlandBuild;
  publicKey: string;
  modules: readonly string[];
  /** Folder with init and etc/; defaults to images/rootfs. */
  templateDir?: string;
  /** The simulated SoC to carry; its module's in-tree dependencies must be among `modules`. */
  soc?: SimulatedSoc | undefined;
}

async function firmwareEntries(firmwareDir: string): Promise<CpioEntry[]> {
  const entries: CpioEntry[] = [];
  for (const file of await walk(firmwareDir)) {
    const path = join(GUEST_FIRMWARE_DIR, relative(firmwareDir, file));
    entries.push(...parentDirEntries(path), { type: 'file', path, mode: 0o644, source: file });
  }
  return entries;
}

export interface InitramfsBuild {
  path: string;
  key: string;
  dir: string;
  manifest: InitramfsManifest;
  built: boolean;
}

export async function buildInitramfs(ctx: BuildContext, inputs: InitramfsInputs): Promise<InitramfsBuild> {
  const templateDir = inputs.templateDir ?? ROOTFS_TEMPLATE_DIR;
  const key = cacheKey('initramfs', {
    template: await templateHash(templateDir),
    kernel: inputs.kernelKey,
    userland: inputs.userland.key,
    publicKey: inputs.publicKey,
    modules: inputs.modules,
    soc: inputs.soc?.key,
    recipe: RECIPE,
  });
  const entry = await ensureEntry<InitramfsManifest>({
    cacheDir: ctx.cacheDir,
    piece: 'initramfs',
    key,
    force: ctx.force,
    build: async (tmp) => {
      const soc = inputs.soc;
      ctx.progress('initramfs', 'build', `modules ${inputs.modules.join(' ')}${soc ? `, simulated SoC ${soc.key.slice(0, 16)}` : ''}`);
      const outOfTree = soc ? [{ path: SIM_MODULE_GUEST_PATH, source: soc.modulePath }] : [];
      const staged = await stageModules(inputs.kernel, inputs.modules, join(tmp, 'staging'), ctx.signal, outOfTree);
      const entries: CpioEntry[] = [...skeletonEntries(), ...staged.entries];
      if (soc) entries.push(...(await firmwareEntries(soc.firmwareDir)));
      for (const file of await walk(templateDir)) {
        const rel = relative(templateDir, file);
        entries.push({ type: 'file', path: rel, mode: templateMode(rel), source: file });
      }
      for (const file of inputs.userland.manifest.files) {
        entries.push({ type: 'file', path: file.path, mode: file.mode, source: join(inputs.userland.tree, file.path) });
        for (let d = dirname(file.path); d !== '/'; d = dirname(d)) entries.push({ type: 'dir', path: d, mode: 0o755 });
      }
      entries.push({ type: 'file', path: 'root/.ssh/authorized_keys', mode: 0o600, source: Buffer.from(`${inputs.publicKey.trim()}\n`) });
      ctx.progress('initramfs', 'build', `write ${entries.length} cpio members, gzip`);
      const out = join(tmp, INITRAMFS_FILE);
      await writeGzippedCpio(out, entries);
      const bytes = (await stat(out)).size;
      // The staging tree only fed the archive.
      await rm(join(tmp, 'staging'), { recursive: true, force: true });
      return {
        file: INITRAMFS_FILE,
        release: staged.release,
        modules: staged.loadOrder,
        builtinModules: staged.builtin,
        bytes,
        members: normalizeEntries(entries).length,
        soc: soc ? { key: soc.key, module: SIM_MODULE_GUEST_PATH, defines: soc.defines } : undefined,
      };
    },
  });
  ctx.progress('initramfs', entry.built ? 'done' : 'cached', `${(entry.manifest.bytes / 1e6).toFixed(1)} MB, ${entry.manifest.modules.length} modules → ${entry.dir}`);
  return { path: join(entry.dir, entry.manifest.file), key, dir: entry.dir, manifest: entry.manifest, built: entry.built };
}
