// `run --gdb`: the gdb command for a run's gdbstub, with the vmlinux whose symbols match the kernel when pilot knows one.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { shellLine } from '../host/shell-quote.ts';
import type { KernelArtifact } from '../images/image-set.ts';
import type { RunDeploy } from './deploy-stage.ts';
import type { PlannedRun, RunPlan } from './plan/planned-run.ts';

/** Debian's linux-image-<release>-dbg puts the kernel's unstripped ELF here. */
export function debianDebugVmlinux(release: string): string {
  return `/usr/lib/debug/boot/vmlinux-${release}`;
}

export interface GdbSymbols {
  /** The vmlinux to give gdb, when one matching the kernel exists on this host. */
  vmlinux?: string;
  /** Which kernel that is, or why there is none and where it would be. */
  note: string;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** A run's symbols: the pushed kernel's when it deploys one (it runs from the deploy on), else the booted image's. */
export async function gdbSymbols(bootKernel: KernelArtifact, deploy: RunDeploy | undefined): Promise<GdbSymbols> {
  if (deploy) {
    const { kernel } = deploy;
    const after = `the kernel under test ${kernel.release}, from its deploy on (${bootKernel.release} runs before it)`;
    const tree = kernel.source === 'build-dir' || kernel.source === 'image+modules' ? kernel.buildDir : undefined;
    if (tree && (await exists(join(tree, 'vmlinux')))) return { vmlinux: join(tree, 'vmlinux'), note: `symbols of ${after}` };
    if (kernel.source === 'debian') return debianSymbols(kernel.release, after);
    return { note: `no symbols: no vmlinux beside ${after}${tree ? ` in ${tree}` : ''}` };
  }
  if (bootKernel.packageVersion === 'local') return { note: `no symbols: pilot knows no vmlinux for the booted kernel ${bootKernel.release}` };
  return debianSymbols(bootKernel.release, `Debian's kernel ${bootKernel.release}`);
}

async function debianSymbols(release: string, which: string): Promise<GdbSymbols> {
  const vmlinux = debianDebugVmlinux(release);
  if (await exists(vmlinux)) return { vmlinux, note: `symbols of ${which}` };
  return {
    note: `no symbols: ${which} ships its vmlinux in linux-image-${release}-dbg (${vmlinux}), which this host does not have; ` +
      `apt-get download linux-image-${release}-dbg:arm64, then dpkg-deb -x it and give gdb that file`,
  };
}

/** The symbols of a planned run: its own kernel's, over the set of images it boots from (soc: real has its own). */
export function runGdbSymbols(plan: RunPlan, run: PlannedRun): Promise<GdbSymbols> {
  const bootKernel = run.scenario.soc === 'real' && plan.images.realSoc ? plan.images.realSoc.kernel : plan.images.kernel;
  return gdbSymbols(bootKernel, run.deploy);
}

/** `gdb-multiarch [vmlinux] -ex 'target remote 127.0.0.1:PORT'`. */
export function gdbCommandLine(port: number, vmlinux?: string): string {
  return shellLine(['gdb-multiarch', ...(vmlinux ? [vmlinux] : []), '-ex', `target remote 127.0.0.1:${port}`]);
}

/** What a run prints when its gdbstub listens. */
export function gdbNotice(port: number, symbols: GdbSymbols): string[] {
  return [`gdbstub on 127.0.0.1:${port}: ${gdbCommandLine(port, symbols.vmlinux)}`, `  ${symbols.note}`];
}
