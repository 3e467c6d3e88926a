// Builds (or finds cached) the guest images once, before any test boots a machine, so parallel test files never race a cold build.
import { buildImages } from '../harness/images/build.ts';

export default async function setup(): Promise<void> {
  const started = Date.now();
  await buildImages({
    onProgress: (event) => {
      if (event.phase !== 'cached') process.stderr.write(`[images] ${event.piece}: ${event.phase}${event.detail ? ` ${event.detail}` : ''}\n`);
    },
  });
  process.stderr.write(`[images] ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
