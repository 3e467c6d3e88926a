// The flags that name a kernel under test (run's --kernel, compare's --baseline/--patched), checked before anything boots.
import { InputError } from '../core/errors.ts';
import { SIM_MODULE_DEFINES } from '../images/sim-module/build-module.ts';
import { kernelSpecFromArgument } from '../kernel/input.ts';
import type { CompareSide } from '../runner/compare-session.ts';
import type { KernelRequest } from '../runner/kernel-plan.ts';
import type { DeployChoice } from '../scenario/schema.ts';
import { deployFlag } from './scenario-args.ts';

/** The image's own kernel, booted without a push: the natural baseline before a first patch. */
export const IMAGE_KERNEL = 'image';

/** Fault variants of the simulated-SoC module, by the name the flags take: they show what a caught regression looks like. */
export const SIM_VARIANTS: Readonly<Record<string, string>> = { 'skip-carveout-map': SIM_MODULE_DEFINES.skipCarveoutMap };

/** --kernel/--modules/--deploy as one request; a flag that makes no sense alone is refused here, naming it. */
export async function kernelFlag(kernel: string | undefined, modules: string | undefined, deploy: string | undefined): Promise<KernelRequest | undefined> {
  const method = deployFlag(deploy);
  if (kernel === undefined) {
    if (modules !== undefined) throw new InputError('E_BAD_FLAG', '--modules goes with --kernel IMAGE');
    if (deploy !== undefined) throw new InputError('E_BAD_FLAG', '--deploy goes with --kernel (or a scenario\'s kernel: key, which has its own deploy:)');
    return undefined;
  }
  return { spec: await kernelSpecFromArgument(kernel, modules), deploy: method ?? 'auto', origin: `--kernel ${kernel}` };
}

/** --baseline/--patched with their -modules and -sim flags: a kernel, or 'image' for the image's own. */
export async function compareSideFlags(
  label: CompareSide['label'],
  kernel: string | undefined,
  modules: string | undefined,
  sim: string | undefined,
  deploy: DeployChoice,
): Promise<CompareSide> {
  if (kernel === undefined) throw new InputError('E_BAD_FLAG', `--${label} is required: the kernel ${label === 'baseline' ? 'before' : 'with'} the patch (or '${IMAGE_KERNEL}')`);
  let simModuleDefines: string[] = [];
  if (sim !== undefined) {
    const define = SIM_VARIANTS[sim];
    if (!define) throw new InputError('E_BAD_FLAG', `--${label}-sim: expected one of ${Object.keys(SIM_VARIANTS).join(', ')}, got '${sim}'`);
    simModuleDefines = [define];
  }
  if (kernel === IMAGE_KERNEL) {
    if (modules !== undefined) throw new InputError('E_BAD_FLAG', `--${label}-modules makes no sense with --${label} ${IMAGE_KERNEL}`);
    return { label, request: undefined, imageKernelOnly: true, simModuleDefines };
  }
  return { label, request: { spec: await kernelSpecFromArgument(kernel, modules), deploy, origin: `--${label} ${kernel}` }, simModuleDefines };
}
