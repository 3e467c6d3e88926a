// A tree for a caller that may not wait half an hour (the test suite): the cached one, a build when PILOT_BUILD_KERNELS
// asks for it (`1` for every tree, or a comma list of trees such as `sim-6.1,sim-6.1:crash-regression`), else the reason
// it is missing with the command that builds it.
import { buildKernelTree, findKernelTree, type KernelTree, type KernelTreeOptions } from './build.ts';
import { formatTreeSelector, parseTreeSelector, type TreeSelector } from './recipe.ts';

export type TreeOnDemand = { tree: KernelTree; missing?: undefined } | { tree?: undefined; missing: string };

/** The trees PILOT_BUILD_KERNELS lists by name; 'all' for `1`, none when unset. */
export function treesToBuild(env: NodeJS.ProcessEnv = process.env): 'all' | TreeSelector[] {
  const value = env.PILOT_BUILD_KERNELS?.trim() ?? '';
  if (value === '1') return 'all';
  if (value === '' || value === '0') return [];
  return value.split(',').map((name) => parseTreeSelector(name.trim()));
}

/** True when the environment asks for this tree (or for every tree) to be built rather than skipped. */
export function buildKernelsAsked(env: NodeJS.ProcessEnv = process.env, selector?: TreeSelector): boolean {
  const asked = treesToBuild(env);
  if (asked === 'all') return true;
  if (!selector) return asked.length > 0;
  return asked.some((entry) => formatTreeSelector(entry) === formatTreeSelector(selector));
}

export async function kernelTreeOnDemand(selectorText: string, options: KernelTreeOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<TreeOnDemand> {
  const selector = parseTreeSelector(selectorText);
  if (buildKernelsAsked(env, selector)) return { tree: await buildKernelTree(selector, options) };
  const tree = await findKernelTree(selector, options);
  if (tree) return { tree };
  return {
    missing: `kernel tree ${formatTreeSelector(selector)} is not cached: build it with \`npx pilot kernel-tree build ${formatTreeSelector(selector)}\`, or set PILOT_BUILD_KERNELS=1 (or =${formatTreeSelector(selector)})`,
  };
}
