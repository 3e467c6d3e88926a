// Builds (or finds cached) the guest images once, before any test boots a machine, so parallel test files never race a cold
// build; then the kernel trees PILOT_BUILD_KERNELS names, so a 10-minute kernel build never shares the cores with QEMU tests.
import { printImageProgress } from '../harness/cli/image-progress.ts';
import { buildImages } from '../harness/images/build.ts';
import { buildKernelTree } from '../harness/images/kernel-tree/build.ts';
import { treesToBuild } from '../harness/images/kernel-tree/on-demand.ts';
import { formatTreeSelector } from '../harness/images/kernel-tree/recipe.ts';
import { progressSink } from '../harness/images/progress.ts';

export default async function setup(): Promise<void> {
  const started = Date.now();
  await buildImages({ onProgress: printImageProgress });
  process.stderr.write(`images: ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const trees = treesToBuild();
  if (trees === 'all') return; // every build-tree test builds what it needs
  for (const selector of trees) {
    const treeStarted = Date.now();
    const tree = await buildKernelTree(selector, { progress: progressSink((event) => printImageProgress({ ...event, piece: `kernel-tree ${formatTreeSelector(selector)}: ${event.piece}` })) });
    process.stderr.write(`kernel-tree ${formatTreeSelector(selector)}: ${tree.built ? 'built' : 'cached'} in ${((Date.now() - treeStarted) / 1000).toFixed(1)} s (${tree.path})\n`);
  }
}
