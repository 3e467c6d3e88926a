// buildMachineDtb(): QEMU's own device tree for the exact machine, plus the simulated SoC and the overlays a scenario names.
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InfraError, InputError } from '../../core/errors.ts';
import { findNode, isCompatible, parseFdt, phandleOf, propString, regions, walk, type FdtNode } from './fdt.ts';
import { runProcess } from '../../host/process.ts';
import { BASE_OVERLAY, DEFAULT_OVERLAY_DIR, baseOverlay, resolveOverlays, type OverlayInfo } from './overlays.ts';
import { dumpQemuDtb } from './qemu-dump.ts';

export interface MachineDtbOptions {
  /** The QEMU arguments the machine boots with (without the binary); only those that shape the tree are used for the dump. */
  qemuArgs: readonly string[];
  /** Overlays by name, applied in order after the base SoC fragment, e.g. ["el2"]. */
  overlays: readonly string[];
  outPath: string;
  signal?: AbortSignal;
  qemuBinary?: string;
  overlayDir?: string;
  /** Per host tool run; default 60 s. */
  timeoutMs?: number;
}

export interface Carveout {
  name: string;
  base: number;
  size: number;
}

export interface MachineDtb {
  path: string;
  /** The base fragment followed by the named overlays, as applied. */
  applied: string[];
  /** Labels overlays can reference in the QEMU tree, e.g. smmu -> /smmuv3@9050000. */
  symbols: Record<string, string>;
  carveouts: Carveout[];
}

/** Labels for QEMU-generated nodes, found by what they are rather than by a path that could move. */
function machineSymbols(root: FdtNode): Record<string, string> {
  const symbols: Record<string, string> = {};
  for (const node of walk(root)) {
    if (!symbols.smmu && isCompatible(node, 'arm,smmu-v3') && phandleOf(node) !== undefined) symbols.smmu = node.path;
    if (!symbols.pcie && propString(node, 'device_type') === 'pci' && node.path.split('/').length === 2) symbols.pcie = node.path;
  }
  return symbols;
}

/** Labels an overlay refers to but does not define, from its __fixups__ node. */
function unresolvedLabels(overlay: FdtNode): string[] {
  return [...(findNode(overlay, '/__fixups__')?.props.keys() ?? [])];
}

/** Node paths every fragment targets, and the paths its __overlay__ content creates. */
function fragmentPaths(overlay: FdtNode): { targets: string[]; created: string[] } {
  const targets: string[] = [];
  const created: string[] = [];
  for (const fragment of overlay.children) {
    const target = propString(fragment, 'target-path');
    const content = fragment.children.find((child) => child.name === '__overlay__');
    if (!target || !content) continue;
    targets.push(target);
    for (const node of walk(content)) {
      if (node === content) continue;
      created.push(`${target === '/' ? '' : target}${node.path.slice(content.path.length)}`);
    }
  }
  return { targets, created };
}

const LABEL_HINTS: Record<string, string> = {
  smmu: 'this machine has no SMMUv3: boot it with -M virt,…,iommu=smmuv3 (the kvm-el2 profile)',
  pcie: 'this machine has no PCI host bridge',
};

function checkOverlayFits(overlay: OverlayInfo, tree: FdtNode, symbols: Record<string, string>, existing: Set<string>): void {
  for (const label of unresolvedLabels(tree)) {
    if (!symbols[label]) {
      throw new InputError('E_DTB_OVERLAY_MISMATCH', `dtb overlay "${overlay.name}" refers to &${label}, which this machine's device tree lacks`, {
        hint: LABEL_HINTS[label],
      });
    }
  }
  const { targets, created } = fragmentPaths(tree);
  for (const target of targets) {
    if (!existing.has(target)) {
      throw new InputError('E_DTB_OVERLAY_MISMATCH', `dtb overlay "${overlay.name}" targets ${target}, which this machine's device tree lacks`, {
        hint: `apply the overlays that create it first (the base fragment ${BASE_OVERLAY} is always first)`,
      });
    }
  }
  for (const path of created) existing.add(path);
}

function carveoutsOf(root: FdtNode): Carveout[] {
  const reserved = findNode(root, '/reserved-memory');
  if (!reserved) return [];
  return reserved.children
    .flatMap((node) => regions(reserved, node).map((r) => ({ name: node.name, ...r })))
    .sort((a, b) => a.base - b.base);
}

function checkCarveoutsInRam(root: FdtNode, carveouts: Carveout[]): void {
  const ram = root.children
    .filter((node) => propString(node, 'device_type') === 'memory')
    .flatMap((node) => regions(root, node));
  for (const c of carveouts) {
    if (!ram.some((r) => c.base >= r.base && c.base + c.size <= r.base + r.size)) {
      const have = ram.map((r) => `0x${r.base.toString(16)}+${r.size / 2 ** 20} MiB`).join(', ') || 'none';
      throw new InputError('E_DTB_CARVEOUT_RAM', `carve-out ${c.name} (0x${c.base.toString(16)}+0x${c.size.toString(16)}) lies outside the machine's RAM (${have})`, {
        hint: 'give the machine more memory (-m 1024 or more)',
      });
    }
  }
}

async function readTree(path: string, what: string): Promise<FdtNode> {
  try {
    return parseFdt(await readFile(path));
  } catch (error) {
    throw new InfraError('E_DTB_PARSE', `cannot read ${what} (${path}): ${(error as Error).message}`, { cause: error });
  }
}

export async function buildMachineDtb(options: MachineDtbOptions): Promise<MachineDtb> {
  const dir = options.overlayDir ?? DEFAULT_OVERLAY_DIR;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const signal = options.signal;
  // Names are checked before QEMU runs: a typo is the user's, and should cost nothing.
  const overlays = [await baseOverlay(dir), ...(await resolveOverlays(options.overlays, dir))];

  await mkdir(dirname(options.outPath), { recursive: true });
  const work = await mkdtemp(join(dirname(options.outPath), '.dtb-'));
  try {
    const base = join(work, 'machine.dtb');
    await dumpQemuDtb({ qemuBinary: options.qemuBinary, qemuArgs: options.qemuArgs, outPath: base, signal, timeoutMs });
    const machine = await readTree(base, "QEMU's device tree");
    const symbols = machineSymbols(machine);

    // fdtoverlay resolves &label through __symbols__, which QEMU's tree does not carry.
    const tool = { signal, timeoutMs };
    await runProcess('fdtput', ['-c', base, '/__symbols__'], { ...tool, code: 'E_DTB_SYMBOLS', what: 'add __symbols__ to the machine tree' });
    for (const [label, path] of Object.entries(symbols)) {
      await runProcess('fdtput', ['-t', 's', base, '/__symbols__', label, path], { ...tool, code: 'E_DTB_SYMBOLS', what: `add symbol ${label}` });
    }

    const existing = new Set([...walk(machine)].map((node) => node.path));
    const compiled: string[] = [];
    for (const overlay of overlays) {
      const out = join(work, `${overlay.name}.dtbo`);
      await runProcess('dtc', ['-q', '-@', '-I', 'dts', '-O', 'dtb', '-o', out, overlay.path], {
        ...tool,
        code: 'E_DTB_OVERLAY_COMPILE',
        what: `compile dtb overlay ${overlay.name}`,
      });
      checkOverlayFits(overlay, await readTree(out, `overlay ${overlay.name}`), symbols, existing);
      compiled.push(out);
    }

    const merged = join(work, 'merged.dtb');
    await runProcess('fdtoverlay', ['-i', base, '-o', merged, ...compiled], {
      ...tool,
      code: 'E_DTB_OVERLAY_APPLY',
      what: `apply dtb overlays ${overlays.map((o) => o.name).join(', ')}`,
    });

    const final = await readTree(merged, 'the merged device tree');
    const carveouts = carveoutsOf(final);
    checkCarveoutsInRam(final, carveouts);
    await rename(merged, options.outPath);
    return { path: options.outPath, applied: overlays.map((o) => o.name), symbols, carveouts };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
