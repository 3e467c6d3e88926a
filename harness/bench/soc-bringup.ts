// Measures what the simulated SoC adds to a run: the boot with it against the boot without it, then the wait until all three processors are up.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfraError } from '../core/errors.ts';
import { sleep } from '../core/wait.ts';
import type { Guest } from '../guest/guest.ts';
import type { ImageSet } from '../images/image-set.ts';
import { SIM_SOC_OVERLAYS } from '../images/devicetree/soc.ts';
import type { Profile } from '../model/profile.ts';
import { QemuMachine } from '../machine/qemu-machine.ts';

export interface SocBringUpTiming {
  profile: string;
  sshReadyWithoutSocMs: number;
  sshReadyWithSocMs: number;
  /** From SSH ready until ADSP and CDSP report running and the Iris decoder has opened (booting its firmware). */
  upAfterSshMs: number;
}

const LIMIT_MS = 180_000;
// Prints "<name> <state>" per remote processor, then whether opening the Iris decoder succeeded.
const PROBE = [
  'for r in /sys/class/remoteproc/remoteproc*; do echo "$(cat $r/name) $(cat $r/state)"; done',
  'for v in /sys/class/video4linux/video*; do [ "$(cat $v/name)" = qcom-iris-decoder ] && dev=/dev/${v##*/}; done',
  '[ -n "$dev" ] && (exec 3<"$dev") 2>/dev/null && echo "iris opened"',
].join('; ');

/** Polls until ADSP and CDSP run (and, with `iris`, the decoder has opened). */
export async function waitUntilUp(guest: Guest, signal: AbortSignal, { iris = true }: { iris?: boolean } = {}): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    last = (await guest.exec(PROBE, { timeoutMs: 20_000, signal })).stdout;
    if (/^adsp running$/m.test(last) && /^cdsp running$/m.test(last) && (!iris || /^iris opened$/m.test(last))) return;
    await sleep(50, { signal });
  }
  throw new InfraError('E_BENCH_SOC', `the processors did not all come up within 60 s; last probe:\n${last}`);
}

/** Milliseconds from start() to a command run over SSH, then what `after` measured on the running guest. */
export async function sshReady(machine: QemuMachine, signal: AbortSignal, after?: (guest: Guest) => Promise<number>): Promise<[number, number]> {
  const dir = await mkdtemp(join(tmpdir(), 'pilot-bench-'));
  const startedAt = performance.now();
  const running = await machine.start({ artifactsDir: dir, signal, deadline: Date.now() + LIMIT_MS });
  try {
    await running.guest.exec('true', { timeoutMs: 10_000 });
    const ready = performance.now() - startedAt;
    return [ready, after ? await after(running.guest) : 0];
  } finally {
    await running.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function socBringUp(profile: Profile, images: { withSoc: ImageSet; withoutSoc: ImageSet }, signal: AbortSignal): Promise<SocBringUpTiming> {
  const overlays = [...SIM_SOC_OVERLAYS[profile.name]];
  const [sshReadyWithoutSocMs] = await sshReady(new QemuMachine({ profile, images: images.withoutSoc, soc: false }), signal);
  const [sshReadyWithSocMs, upAfterSshMs] = await sshReady(new QemuMachine({ profile, images: images.withSoc, overlays }), signal, async (guest) => {
    const started = performance.now();
    await waitUntilUp(guest, signal);
    return performance.now() - started;
  });
  return { profile: profile.name, sshReadyWithoutSocMs, sshReadyWithSocMs, upAfterSshMs };
}
