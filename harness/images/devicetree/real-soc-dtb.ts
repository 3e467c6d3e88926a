// buildRealSocDtb(): QEMU's own device tree for exactly the run's secure=on machine line, with PSCI as the CPUs'
// enable method and the real SoC's nodes appended, compiled with dtc. The source is kept beside it for people.
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InfraError } from '../../core/errors.ts';
import { isCompatible, parseFdt, propString, walk, type FdtNode } from './fdt.ts';
import { runProcess } from '../../host/process.ts';
import { dumpQemuDtb } from './qemu-dump.ts';
import { realSocDts, type ChosenSettings, type MachinePaths } from './real-soc-dts.ts';
import { realSocDtSettings, type RealSocDtSettings } from './real-soc-variants.ts';

export interface RealSocDtbOptions {
  /** The QEMU arguments the machine boots with (without the binary); only those that shape the tree are used for the dump. */
  qemuArgs: readonly string[];
  /** The scenario's dtb-overlays names for this profile, read as real-SoC variants (real-soc-variants.ts). */
  variants: readonly string[];
  chosen: ChosenSettings;
  outPath: string;
  /** Where to keep the generated source; default: outPath with .dts. */
  sourcePath?: string;
  signal?: AbortSignal | undefined;
  qemuBinary?: string;
  timeoutMs?: number;
}

export interface RealSocDtb {
  path: string;
  sourcePath: string;
  settings: RealSocDtSettings;
  paths: MachinePaths;
}

/** The QEMU-made nodes the SoC's nodes refer to, found by what they are rather than by a path that could move. */
export function machinePaths(root: FdtNode): MachinePaths {
  let gic: string | undefined;
  let clock: string | undefined;
  let pcie: string | undefined;
  let smmu: string | undefined;
  for (const node of walk(root)) {
    const topLevel = node.path.split('/').length === 2;
    if (!gic && topLevel && node.props.has('interrupt-controller') && (isCompatible(node, 'arm,cortex-a15-gic') || isCompatible(node, 'arm,gic-400'))) gic = node.path;
    if (!clock && topLevel && isCompatible(node, 'fixed-clock') && node.name === 'apb-pclk') clock = node.path;
    if (!pcie && topLevel && propString(node, 'device_type') === 'pci') pcie = node.path;
    if (!smmu && isCompatible(node, 'arm,smmu-v3')) smmu = node.path;
  }
  const missing = [!gic && 'a GICv2 (gic-version=2)', !clock && 'the apb-pclk clock', !pcie && 'a PCIe host'].filter(Boolean);
  if (missing.length) throw new InfraError('E_DTB_REAL_SOC', `QEMU's tree for this machine lacks ${missing.join(', ')}, which the real SoC's nodes need`);
  return { gic: gic!, clock: clock!, pcie: pcie!, smmu };
}

/** Every CPU node gets enable-method = "psci": with secure=on QEMU emulates no PSCI and lists none, the firmware answers it. */
export function withPsciEnableMethod(dts: string): string {
  return dts.replace(/^(\t*)device_type = "cpu";$/gm, (line, indent: string) => `${line}\n${indent}enable-method = "psci";`);
}

export async function buildRealSocDtb(options: RealSocDtbOptions): Promise<RealSocDtb> {
  const settings = realSocDtSettings(options.variants);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const signal = options.signal;
  const sourcePath = options.sourcePath ?? options.outPath.replace(/\.dtb$/, '') + '.dts';
  await mkdir(dirname(options.outPath), { recursive: true });
  const work = await mkdtemp(join(dirname(options.outPath), '.dtb-'));
  try {
    const base = join(work, 'machine.dtb');
    await dumpQemuDtb({ qemuBinary: options.qemuBinary, qemuArgs: options.qemuArgs, outPath: base, signal, timeoutMs });
    const paths = machinePaths(parseFdt(await readFile(base)));
    const decompiled = (await runProcess('dtc', ['-q', '-I', 'dtb', '-O', 'dts', base], { code: 'E_DTB_REAL_SOC', what: "decompile QEMU's device tree", signal, timeoutMs })).stdout;
    await writeFile(sourcePath, withPsciEnableMethod(decompiled) + realSocDts(paths, settings, options.chosen));
    const out = join(work, 'real-soc.dtb');
    await runProcess('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', out, sourcePath], { code: 'E_DTB_REAL_SOC', what: 'compile the real SoC device tree', signal, timeoutMs });
    await rename(out, options.outPath);
    return { path: options.outPath, sourcePath, settings, paths };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
