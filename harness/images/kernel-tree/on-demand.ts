// A tree for a caller that may not wait half an hour (the test suite): the cached one, a build when
// PILOT_BUILD_KERNELS=1 asks for it, else the reason it is missing with the command that builds it.
import { buildKernelTree, findKernelTree, type KernelTree, type KernelTreeOptions } from './build.ts';
import { formatTreeSelector, parseTreeSelector } from './recipe.ts';

export type TreeOnDemand = { tree: KernelTree; missing?: undefined } | { tree?: undefined; missing: string };

/** True when the environment asks for kernel trees to be built rather than skipped. */
export function buildKernelsAsked(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.PILOT_BUILD_KERNELS === '1';
}

export async function kernelTreeOnDemand(selectorText: string, options: KernelTreeOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<TreeOnDemand> {
  const selector = parseTreeSelector(selectorText);
  if (buildKernelsAsked(env)) return { tree: await buildKernelTree(selector, options) };
  const tree = await findKernelTree(selector, options);
  if (tree) return { tree };
  return {
    missing: `kernel tree ${formatTreeSelector(selector)} is not cached: build it with \`npx pilot kernel-tree build ${formatTreeSelector(selector)}\`, or set PILOT_BUILD_KERNELS=1`,
  };
}
