// The one planner: scenarios, profiles, a board, kernels, a shard and known issues in; per kernel, its images and planned runs out.
import type { KnownIssue } from '../../config/known-issue-schema.ts';
import { buildImages as buildRealImages, type BuildImagesOptions } from '../../images/build.ts';
import type { ImageSet } from '../../images/image-set.ts';
import type { ImageProgress } from '../../images/progress.ts';
import { PROFILES } from '../../model/profile.ts';
import type { RunDeploy } from '../deploy-stage.ts';
import { prepareDeploys } from '../prepare-deploys.ts';
import { deployersForBackends } from './backend.ts';
import type { KernelChoice, RunPlan } from './planned-run.ts';
import { selectRuns, type SelectionInput } from './select-runs.ts';

export interface PlanInput<K extends KernelChoice> extends SelectionInput {
  /** One for `pilot run`; compare's baseline and patched, planned in that order. */
  kernels: ReadonlyArray<K>;
  knownIssues: KnownIssue[];
  signal: AbortSignal;
  onImageProgress: (event: ImageProgress) => void;
  /** Tests pass a fake; pilot builds (or reuses) the cached images. */
  buildImages?: (options: BuildImagesOptions) => Promise<ImageSet>;
}

/**
 * Cheap checks first (boards, profiles, shard), then each kernel's images and deploys, all before the first boot:
 * a wrong board file costs no image build, and a bad patched Image costs no baseline run.
 */
export async function planRuns<K extends KernelChoice>(input: PlanInput<K>): Promise<RunPlan<K>[]> {
  const selection = await selectRuns(input);
  const buildImages = input.buildImages ?? buildRealImages;
  const plans: RunPlan<K>[] = [];
  // The second base set (6.12, EL3 firmware) costs a build only when a run needs it.
  const realSoc = selection.runs.some((run) => run.scenario.soc === 'real');
  // Xen from source (with the SiP-forwarding patch) only when a real-SoC run is on xen-el1.
  const realSocXen = selection.runs.some((run) => run.scenario.soc === 'real' && PROFILES[run.profile].hypervisor === 'xen');
  for (const kernel of input.kernels) {
    const simModuleDefines = kernel.simModuleDefines ?? [];
    // A pushed kernel gets its fault variant with its own module build; the image's kernel gets it in the images.
    const images = await buildImages({
      signal: input.signal,
      onProgress: input.onImageProgress,
      realSoc,
      ...(realSocXen ? { realSocXen } : {}),
      ...(kernel.request || !simModuleDefines.length ? {} : { simModuleDefines }),
    });
    const deployers = deployersForBackends(images);
    const deploys = kernel.imageKernelOnly
      ? new Map<string, RunDeploy>()
      : await prepareDeploys(selection.runs, kernel.request, (run) => deployers(run.backend, run.scenario.soc), {
          signal: input.signal,
          onProgress: input.onImageProgress,
          ...(simModuleDefines.length ? { simModuleDefines } : {}),
          onKernel: (label) => input.note(`${kernel.label ? `${kernel.label} kernel` : 'kernel under test'}: ${label}`),
        });
    plans.push({
      kernel,
      images,
      runs: selection.runs.map((run) => ({ ...run, deploy: deploys.get(run.id) })),
      jobs: selection.jobs,
      knownIssues: input.knownIssues,
      shard: selection.shard,
    });
  }
  return plans;
}
