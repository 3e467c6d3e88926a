// The kernel developer's inner loop as ratios to a cold boot, from one run: for Debian's rt kernel on one profile, a cold
// boot of the base image to SSH, a direct boot to proven, push + kexec to proven and push + reboot to proven, each round
// in that order on the same machine configuration (SoC and overlays included), medians over rounds. Figures, not a test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPilotError } from '../core/errors.ts';
import { median } from '../core/stats.ts';
import type { Deployer } from '../deploy/deploy.ts';
import { DirectDeployer } from '../deploy/direct.ts';
import { KexecDeployer } from '../deploy/kexec.ts';
import { RebootDeployer } from '../deploy/reboot.ts';
import type { ImageSet } from '../images/image-set.ts';
import type { KernelUnderTest } from '../kernel/input.ts';
import { QemuMachine } from '../machine/qemu-machine.ts';
import { PROFILES, type ProfileName } from '../model/profile.ts';

export type CycleName = 'cold boot' | 'direct' | 'push + kexec' | 'push + reboot';

export interface CycleTarget {
  /** At most this many cold boots. */
  ratio: number;
}

/** Issue 12's targets: a direct boot within 1.5 cold boots, push + kexec within 3; reboot has none. */
export const CYCLE_TARGETS: Readonly<Partial<Record<CycleName, CycleTarget>>> = { direct: { ratio: 1.5 }, 'push + kexec': { ratio: 3 } };

export interface CycleRow {
  name: CycleName;
  /** Median over the rounds that got through; NaN when none did. */
  ms: number;
  rounds: number;
  /** ms / the cold boot's ms. */
  ratio: number;
  target?: CycleTarget;
  verdict?: 'PASS' | 'MISS';
  /** Parts of the figure (median per part): where the time goes. */
  parts?: Record<string, number>;
  error?: string;
}

export interface DeployRatios {
  profile: ProfileName;
  release: string;
  rows: CycleRow[];
}

const OVERLAYS: Record<ProfileName, string[]> = { 'kvm-el2': ['el2'], 'xen-el1': [], el1: [] };
const LIMIT_MS = 600_000;

interface Sample {
  ms: number;
  parts: Record<string, number>;
}

async function inTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'pilot-bench-ratios-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function machine(profile: ProfileName, images: ImageSet, bootloader?: 'u-boot'): QemuMachine {
  return new QemuMachine({ profile: PROFILES[profile], images, overlays: OVERLAYS[profile], ...(bootloader ? { bootloader } : {}) });
}

/** The base image from QEMU's start to a command having run over SSH: what every other figure is divided by. */
async function coldBoot(profile: ProfileName, images: ImageSet, signal: AbortSignal): Promise<Sample> {
  return inTempDir(async (dir) => {
    const started = performance.now();
    const running = await machine(profile, images).start({ artifactsDir: dir, signal, deadline: Date.now() + LIMIT_MS });
    try {
      await running.guest.exec('true', { timeoutMs: 30_000, signal });
      return { ms: performance.now() - started, parts: {} };
    } finally {
      await running.stop();
    }
  });
}

/** From the host starting to assemble the initrd to the kernel under test proven on the machine that booted it. */
async function directBoot(profile: ProfileName, images: ImageSet, kernel: KernelUnderTest, signal: AbortSignal): Promise<Sample> {
  return inTempDir(async (dir) => {
    const deployer = new DirectDeployer({ baseInitramfs: images.initramfsPath });
    const started = performance.now();
    const boot = await deployer.prepareBoot(kernel, { workDir: join(dir, 'deploy'), signal });
    const bootStarted = performance.now();
    const running = await machine(profile, images).start({ artifactsDir: dir, signal, deadline: Date.now() + LIMIT_MS, kernel: { imagePath: boot.kernelImage, initramfsPath: boot.initrd.path } });
    try {
      const result = await deployer.deploy(running, kernel, { workDir: join(dir, 'deploy'), signal, deadline: Date.now() + LIMIT_MS, booted: { boot, bootMs: performance.now() - bootStarted } });
      const t = result.timings;
      return { ms: performance.now() - started, parts: { assemble: t.prepareMs, 'boot→SSH': t.rebootMs, proof: t.proofMs } };
    } finally {
      await running.stop();
    }
  });
}

/** On a machine booted (untimed) on the base image: the deploy's own figure, from its first host step to proven. */
async function pushDeploy(profile: ProfileName, images: ImageSet, kernel: KernelUnderTest, deployer: Deployer, signal: AbortSignal, bootloader?: 'u-boot'): Promise<Sample> {
  return inTempDir(async (dir) => {
    const running = await machine(profile, images, bootloader).start({ artifactsDir: dir, signal, deadline: Date.now() + LIMIT_MS });
    try {
      const result = await deployer.deploy(running, kernel, { workDir: join(dir, 'deploy'), signal, deadline: Date.now() + LIMIT_MS });
      const t = result.timings;
      return { ms: t.totalMs, parts: { prepare: t.prepareMs, push: t.pushMs, load: t.loadMs, 'restart→SSH': t.rebootMs, proof: t.proofMs } };
    } finally {
      await running.stop();
    }
  });
}

export interface MeasureRatiosOptions {
  profile: ProfileName;
  rounds: number;
  images: ImageSet;
  kernel: KernelUnderTest;
  signal: AbortSignal;
  log?: (line: string) => void;
}

export async function measureDeployRatios(options: MeasureRatiosOptions): Promise<DeployRatios> {
  const { profile, images, kernel, signal } = options;
  const log = options.log ?? (() => {});
  const cycles: Array<{ name: CycleName; run: () => Promise<Sample> }> = [
    { name: 'cold boot', run: () => coldBoot(profile, images, signal) },
    { name: 'direct', run: () => directBoot(profile, images, kernel, signal) },
  ];
  const kexec = new KexecDeployer({ baseInitramfs: images.initramfsPath });
  if (!kexec.refusal(PROFILES[profile])) cycles.push({ name: 'push + kexec', run: () => pushDeploy(profile, images, kernel, kexec, signal) });
  const reboot = new RebootDeployer({ baseInitramfs: images.initramfsPath, bootloader: 'u-boot' });
  cycles.push({ name: 'push + reboot', run: () => pushDeploy(profile, images, kernel, reboot, signal, 'u-boot') });

  const samples = new Map<CycleName, Sample[]>(cycles.map((cycle) => [cycle.name, []]));
  const errors = new Map<CycleName, string>();
  // Interleaved by round, so a load that changes during the run weighs on every figure alike.
  for (let round = 1; round <= options.rounds; round++) {
    for (const cycle of cycles) {
      if (errors.has(cycle.name)) continue;
      try {
        const sample = await cycle.run();
        samples.get(cycle.name)!.push(sample);
        log(`round ${round}: ${cycle.name} ${(sample.ms / 1000).toFixed(2)} s`);
      } catch (caught) {
        if (signal.aborted) throw caught;
        // One failed cycle must not cost the figures of the others.
        const error = toPilotError(caught);
        errors.set(cycle.name, `${error.code}: ${error.message}`);
        log(`round ${round}: ${cycle.name} failed: ${error.code}: ${error.message}`);
      }
    }
  }
  const medianOf = (name: CycleName) => {
    const taken = samples.get(name)!;
    return taken.length ? median(taken.map((sample) => sample.ms)) : Number.NaN;
  };
  const cold = medianOf('cold boot');
  const rows = cycles.map(({ name }): CycleRow => {
    const taken = samples.get(name)!;
    const ms = medianOf(name);
    const ratio = ms / cold;
    const target = CYCLE_TARGETS[name];
    const partNames = [...new Set(taken.flatMap((sample) => Object.keys(sample.parts)))];
    return {
      name,
      ms,
      rounds: taken.length,
      ratio,
      ...(target ? { target, verdict: Number.isFinite(ratio) && ratio <= target.ratio ? ('PASS' as const) : ('MISS' as const) } : {}),
      ...(partNames.length ? { parts: Object.fromEntries(partNames.map((part) => [part, median(taken.map((sample) => sample.parts[part] ?? 0))])) } : {}),
      ...(errors.has(name) ? { error: errors.get(name)! } : {}),
    };
  });
  return { profile, release: kernel.release, rows };
}

export function formatDeployRatios(ratios: DeployRatios): string {
  const seconds = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '-');
  const lines = [
    `kernel under test ${ratios.release} on ${ratios.profile}, medians; ratio = time / cold boot of the base image`,
    'cycle            rounds      time    ratio   target   verdict   where the time goes',
  ];
  for (const row of ratios.rows) {
    const ratio = Number.isFinite(row.ratio) ? `${row.ratio.toFixed(2)}x` : '-';
    const target = row.target ? `≤ ${row.target.ratio}x` : row.name === 'cold boot' ? '1x' : '-';
    const parts = row.parts ? Object.entries(row.parts).map(([part, ms]) => `${part} ${(ms / 1000).toFixed(2)}`).join(', ') : '';
    lines.push(`${row.name.padEnd(15)}${String(row.rounds).padStart(8)}${seconds(row.ms).padStart(10)}${ratio.padStart(9)}   ${target.padEnd(8)} ${(row.verdict ?? '').padEnd(9)} ${parts}`);
    if (row.error) lines.push(`                 failed: ${row.error}`);
  }
  return lines.join('\n');
}
