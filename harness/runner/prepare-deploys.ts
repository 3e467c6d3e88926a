// Before any boot: decide which runs push which kernel and how, resolve each kernel once, and hand the runner its deploys.
import { KernelResolver, planKernels, type DeployersFor, type KernelRequest } from './kernel-plan.ts';
import type { ResolveKernelInputOptions } from '../kernel/input.ts';
import type { MatrixRun } from '../scenario/matrix.ts';
import type { RunDeploy } from './deploy-stage.ts';

export async function prepareDeploys<R extends MatrixRun>(
  matrix: ReadonlyArray<R>,
  override: KernelRequest | undefined,
  deployers: DeployersFor<R>,
  options: ResolveKernelInputOptions & { onKernel?: (label: string) => void } = {},
): Promise<Map<string, RunDeploy>> {
  const plans = planKernels(matrix, override, deployers);
  const { onKernel, ...resolveOptions } = options;
  const kernels = await new KernelResolver(resolveOptions).resolveAll(plans, onKernel);
  const byRun = new Map<string, RunDeploy>();
  for (const [runId, plan] of plans) {
    byRun.set(runId, { kernel: kernels.get(runId)!, spec: plan.request.spec, deployer: plan.deployer });
  }
  return byRun;
}
