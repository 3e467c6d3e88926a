// Kernel-module load order computed on the host from modules.dep, so /init can insmod in a fixed order.
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { InfraError, InputError } from '../core/errors.ts';

/** The virtio network stack Debian builds as modules; QEMU's virtio-net-pci needs all of it. */
export const BASE_GUEST_MODULES: readonly string[] = [
  'virtio_pci_legacy_dev',
  'virtio_pci_modern_dev',
  'virtio_pci',
  'failover',
  'net_failover',
  'virtio_net',
];

/**
 * Modules of the base list a kernel under test may lack altogether: split out only by some configs (the legacy virtio-pci
 * library, the media controller) or needed only by the reboot deploy, whose config check asks for them itself.
 */
export const OPTIONAL_GUEST_MODULES: ReadonlySet<string> = new Set(['virtio_pci_legacy_dev', 'mc', 'virtio_blk', 'fat', 'vfat', 'nls_cp437', 'nls_ascii']);

/** A module's name as the kernel knows it: file name without .ko[.xz|.zst|.gz], dashes as underscores. */
export function moduleName(path: string): string {
  return posix.basename(path).replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

export interface ModuleIndex {
  /** Module name → path relative to lib/modules/<release>. */
  paths: Map<string, string>;
  /** Module path → the paths it depends on, as modules.dep lists them. */
  deps: Map<string, string[]>;
  /** Names of modules built into the kernel image. */
  builtin: Set<string>;
}

export function parseModulesDep(text: string): Pick<ModuleIndex, 'paths' | 'deps'> {
  const paths = new Map<string, string>();
  const deps = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const path = line.slice(0, colon).trim();
    const needs = line.slice(colon + 1).trim().split(/\s+/).filter(Boolean);
    paths.set(moduleName(path), path);
    deps.set(path, needs);
  }
  return { paths, deps };
}

export function parseModulesBuiltin(text: string): Set<string> {
  return new Set(text.split('\n').map((l) => l.trim()).filter(Boolean).map(moduleName));
}

export async function readModuleIndex(modulesDir: string): Promise<ModuleIndex> {
  let depText: string;
  try {
    depText = await readFile(join(modulesDir, 'modules.dep'), 'utf8');
  } catch (error) {
    throw new InfraError('E_DEPMOD', `no modules.dep in ${modulesDir}: run depmod first`, { cause: error });
  }
  const builtinText = await readFile(join(modulesDir, 'modules.builtin'), 'utf8').catch(() => '');
  return { ...parseModulesDep(depText), builtin: parseModulesBuiltin(builtinText) };
}

export interface ModulePlan {
  /** Paths relative to lib/modules/<release>, dependencies before dependents. */
  loadOrder: string[];
  /** Requested names that are built into the kernel and need no loading. */
  builtin: string[];
}

/**
 * Orders the requested modules and everything they depend on so each loads after its dependencies.
 * Requested order is kept where dependencies allow, so the list stays predictable.
 */
export function planModuleLoad(index: ModuleIndex, requested: readonly string[], optional: ReadonlySet<string> = new Set()): ModulePlan {
  const loadOrder: string[] = [];
  const builtin: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (path: string, chain: string[]) => {
    const seen = state.get(path);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new InfraError('E_MODULE_CYCLE', `modules.dep has a cycle: ${[...chain, path].join(' → ')}`);
    state.set(path, 'visiting');
    for (const dep of index.deps.get(path) ?? []) visit(dep, [...chain, path]);
    state.set(path, 'done');
    loadOrder.push(path);
  };
  for (const raw of requested) {
    const name = moduleName(raw);
    const path = index.paths.get(name);
    if (path) visit(path, []);
    else if (index.builtin.has(name)) builtin.push(name);
    else if (!optional.has(name)) throw new InputError('E_MODULE_UNKNOWN', `kernel module ${raw} is neither in modules.dep nor built in`);
  }
  return { loadOrder, builtin };
}
