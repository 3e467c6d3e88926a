// Builds (or finds cached) the guest images once, before any test boots a machine, so parallel test files never race a cold build.
import { printImageProgress } from '../harness/cli/image-progress.ts';
import { buildImages } from '../harness/images/build.ts';

export default async function setup(): Promise<void> {
  const started = Date.now();
  await buildImages({ onProgress: printImageProgress });
  process.stderr.write(`images: ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
