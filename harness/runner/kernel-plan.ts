// Which kernel each run pushes and how it starts it, from `--kernel` or the scenario's `kernel:`; decided before anything boots.
import { InputError } from '../core/errors.ts';
import type { Profile, ProfileName } from '../model/profile.ts';
import { PROFILES } from '../model/profile.ts';
import type { MatrixRun } from '../scenario/matrix.ts';
import type { DeployChoice } from '../scenario/schema.ts';
import type { DeployMethod, Deployer } from '../deploy/deploy.ts';
import { kernelSpecLabel } from '../kernel/spec-label.ts';
import { resolveKernelInput, type KernelUnderTest, type ResolveKernelInputOptions } from '../kernel/input.ts';
import type { KernelSpec } from '../model/kernel-spec.ts';
import type { KernelUse } from '../kernel/config.ts';
import type { SocKind } from '../model/soc-kind.ts';

/** A kernel asked for, before it is resolved: what, how, and where it was asked for (for errors). */
export interface KernelRequest {
  spec: KernelSpec;
  deploy: Partial<Record<ProfileName, DeployChoice>> | DeployChoice;
  /** `--kernel` or `scenario.yaml:4:1`. */
  origin: string;
}

export interface RunKernel {
  request: KernelRequest;
  method: DeployMethod;
  /** The run's deployer for that method (a board's carries its own initramfs and bootloader). */
  deployer: Deployer;
  profile: ProfileName;
  soc: SocKind;
}

/** One set of deployers for every run, or each run's own (runs on a lab board deploy as its file says). */
export type DeployersFor<R extends MatrixRun = MatrixRun> = Readonly<Record<DeployMethod, Deployer>> | ((run: R) => Readonly<Record<DeployMethod, Deployer>>);

/** auto is kexec, the cheaper jump, except where the profile cannot kexec; then the bootloader does it. */
export function deployMethodFor(choice: DeployChoice, profile: Profile, deployers: Readonly<Record<DeployMethod, Deployer>>): DeployMethod {
  if (choice !== 'auto') return choice;
  return deployers.kexec.refusal(profile) === undefined ? 'kexec' : 'reboot';
}

/** The command line's kernel replaces every scenario's own. */
export function kernelRequestFor(run: MatrixRun, override: KernelRequest | undefined): KernelRequest | undefined {
  if (override) return override;
  const written = run.scenario.kernel;
  return written ? { spec: written.spec, deploy: written.deploy, origin: written.origin } : undefined;
}

/**
 * The deploy method of every run that pushes a kernel; all impossible ones are refused together with their reasons,
 * so `kexec` on xen-el1 costs no boot.
 */
export function planKernels<R extends MatrixRun>(
  matrix: ReadonlyArray<R>,
  override: KernelRequest | undefined,
  deployersFor: DeployersFor<R>,
): Map<string, RunKernel> {
  const plans = new Map<string, RunKernel>();
  const refused: string[] = [];
  for (const run of matrix) {
    const request = kernelRequestFor(run, override);
    if (!request) continue;
    const deployers = typeof deployersFor === 'function' ? deployersFor(run) : deployersFor;
    const choice = typeof request.deploy === 'string' ? request.deploy : (request.deploy[run.profile] ?? 'auto');
    const method = deployMethodFor(choice, PROFILES[run.profile], deployers);
    const reason = deployers[method].refusal(PROFILES[run.profile]);
    if (reason) refused.push(`${request.origin}: ${run.id}: deploy ${method}: ${reason}`);
    else plans.set(run.id, { request, method, deployer: deployers[method], profile: run.profile, soc: run.scenario.soc });
  }
  if (refused.length) {
    throw new InputError('E_DEPLOY_REFUSED', [`${refused.length === 1 ? 'a deploy' : `${refused.length} deploys`} cannot work:`, ...refused].join('\n'), {
      hint: 'use deploy: auto (kexec where possible, reboot elsewhere), or narrow the profiles with --profile',
    });
  }
  return plans;
}

/** Resolves each distinct kernel once, however many runs push it; failures keep naming where the kernel was asked for. */
export class KernelResolver {
  private readonly resolved = new Map<string, Promise<KernelUnderTest>>();

  constructor(private readonly options: ResolveKernelInputOptions = {}) {}

  resolve(request: KernelRequest, use?: KernelUse): Promise<KernelUnderTest> {
    const key = JSON.stringify([request.spec, use]);
    let pending = this.resolved.get(key);
    if (!pending) {
      pending = resolveKernelInput(request.spec, { ...this.options, ...(use ? { use } : {}) });
      this.resolved.set(key, pending);
    }
    return pending;
  }

  /** All kernels of the plan, one after another (each may build modules), before any machine starts. */
  async resolveAll(plans: ReadonlyMap<string, RunKernel>, onKernel?: (label: string) => void): Promise<Map<string, KernelUnderTest>> {
    const uses = kernelUses(plans);
    const byRun = new Map<string, KernelUnderTest>();
    const named = new Set<string>();
    for (const [runId, plan] of plans) {
      const key = JSON.stringify(plan.request.spec);
      // Named once per distinct kernel, as it is resolved once: six runs of one tree are one line.
      if (!named.has(key)) onKernel?.(kernelSpecLabel(plan.request.spec));
      named.add(key);
      byRun.set(runId, await this.resolve(plan.request, uses.get(key)));
    }
    return byRun;
  }
}

/** Per kernel (by its spec), every profile it runs on and every deploy that starts it across the plan. */
export function kernelUses(plans: ReadonlyMap<string, RunKernel>): Map<string, KernelUse> {
  const uses = new Map<string, { profiles: Set<ProfileName>; deploys: Set<string>; socs: Set<SocKind> }>();
  for (const plan of plans.values()) {
    const key = JSON.stringify(plan.request.spec);
    const use = uses.get(key) ?? { profiles: new Set(), deploys: new Set(), socs: new Set() };
    use.profiles.add(plan.profile);
    use.deploys.add(plan.method);
    use.socs.add(plan.soc);
    uses.set(key, use);
  }
  return new Map([...uses].map(([key, use]) => [key, { profiles: [...use.profiles], deploys: [...use.deploys], socs: [...use.socs] }]));
}
