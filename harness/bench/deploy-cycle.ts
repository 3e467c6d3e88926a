// Measures a whole deploy of Debian's rt kernel per profile: push + kexec on kvm-el2 and el1, push + reboot through U-Boot on
// kvm-el2 and xen-el1. Each round deploys again on the same machine; medians over rounds.
// Run: npx tsx harness/bench/deploy-cycle.ts [--rounds N] [--only kexec:kvm-el2,reboot:xen-el1]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { toPilotError } from '../core/errors.ts';
import { median } from '../core/stats.ts';
import type { Deployer, DeployMethod, DeployResult } from '../deploy/deploy.ts';
import { resolveKernelInput, type KernelUnderTest } from '../kernel/input.ts';
import { KexecDeployer } from '../deploy/kexec.ts';
import { RebootDeployer } from '../deploy/reboot.ts';
import { buildImages } from '../images/build.ts';
import type { ImageSet } from '../images/image-set.ts';
import { PROFILES, type ProfileName } from '../model/profile.ts';
import { QemuMachine } from '../machine/qemu-machine.ts';

export interface DeployCase {
  method: DeployMethod;
  profile: ProfileName;
}

export interface CycleFigures {
  method: DeployMethod;
  profile: ProfileName;
  rounds: number;
  /** Medians over the rounds. */
  prepareMs: number;
  pushMb: number;
  pushMs: number;
  loadMs: number;
  rebootMs: number;
  proofMs: number;
  totalMs: number;
  /** Set when a round failed; the medians then cover the rounds before it. */
  error?: string;
}

export const DEFAULT_CASES: readonly DeployCase[] = [
  { method: 'kexec', profile: 'kvm-el2' },
  { method: 'kexec', profile: 'el1' },
  { method: 'reboot', profile: 'kvm-el2' },
  { method: 'reboot', profile: 'xen-el1' },
];

const OVERLAYS: Record<ProfileName, string[]> = { 'kvm-el2': ['el2'], 'xen-el1': [], el1: [] };

export function summarize(testCase: DeployCase, results: readonly DeployResult[]): CycleFigures {
  const of = (pick: (result: DeployResult) => number) => (results.length ? median(results.map(pick)) : Number.NaN);
  return {
    ...testCase,
    rounds: results.length,
    prepareMs: of((result) => result.timings.prepareMs),
    pushMb: of((result) => result.pushes.reduce((sum, push) => sum + push.bytes, 0) / 1e6),
    pushMs: of((result) => result.timings.pushMs),
    loadMs: of((result) => result.timings.loadMs),
    rebootMs: of((result) => result.timings.rebootMs),
    proofMs: of((result) => result.timings.proofMs),
    totalMs: of((result) => result.timings.totalMs),
  };
}

async function measureCase(testCase: DeployCase, rounds: number, images: ImageSet, kernel: KernelUnderTest, log: (line: string) => void): Promise<CycleFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'pilot-bench-deploy-'));
  const signal = new AbortController().signal;
  const bootloader = testCase.method === 'reboot' ? ('u-boot' as const) : undefined;
  const machine = new QemuMachine({ profile: PROFILES[testCase.profile], images, overlays: OVERLAYS[testCase.profile], ...(bootloader ? { bootloader } : {}) });
  const running = await machine.start({ artifactsDir: dir, signal, deadline: Date.now() + 300_000 });
  const deployer: Deployer =
    testCase.method === 'reboot' ? new RebootDeployer({ baseInitramfs: images.initramfsPath, bootloader }) : new KexecDeployer({ baseInitramfs: images.initramfsPath });
  const results: DeployResult[] = [];
  let error: string | undefined;
  try {
    for (let round = 1; round <= rounds; round++) {
      const result = await deployer.deploy(running, kernel, { workDir: join(dir, `round-${round}`), signal, deadline: Date.now() + 600_000 });
      log(`${testCase.method} ${testCase.profile} round ${round}: total ${(result.timings.totalMs / 1000).toFixed(1)} s`);
      results.push(result);
    }
  } catch (caught) {
    // One failed case must not cost the figures of the others.
    const pilot = toPilotError(caught);
    error = `${pilot.code}: ${pilot.message}`;
    log(`${testCase.method} ${testCase.profile} round ${results.length + 1} failed: ${error}`);
  } finally {
    await running.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return { ...summarize(testCase, results), ...(error ? { error } : {}) };
}

export async function measureDeployCycles(options: { rounds: number; cases?: readonly DeployCase[]; log?: (line: string) => void }): Promise<CycleFigures[]> {
  const log = options.log ?? (() => {});
  const images = await buildImages();
  const kernel = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
  const figures: CycleFigures[] = [];
  for (const testCase of options.cases ?? DEFAULT_CASES) figures.push(await measureCase(testCase, options.rounds, images, kernel, log));
  return figures;
}

export function formatCycleTable(figures: readonly CycleFigures[], release: string): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`.padStart(8);
  const lines = [
    `deploy of ${release}, medians`,
    'method  profile  rounds  prepare  push MB    push    load  reboot→SSH   proof    total',
  ];
  for (const f of figures) {
    lines.push(`${f.method.padEnd(8)}${f.profile.padEnd(9)}${String(f.rounds).padStart(6)}${s(f.prepareMs).padStart(9)}${f.pushMb.toFixed(1).padStart(9)}${s(f.pushMs)}${s(f.loadMs)}${s(f.rebootMs).padStart(12)}${s(f.proofMs)}${s(f.totalMs)}`);
    if (f.error) lines.push(`        failed after ${f.rounds} round(s): ${f.error}`);
  }
  return lines.join('\n');
}

function parseArgs(argv: readonly string[]): { rounds: number; cases: DeployCase[] } {
  let rounds = 3;
  let cases = [...DEFAULT_CASES];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rounds') rounds = Number(argv[++i]);
    else if (argv[i] === '--only') {
      const wanted = new Set((argv[++i] ?? '').split(','));
      cases = cases.filter((c) => wanted.has(`${c.method}:${c.profile}`));
    } else throw new Error(`unknown argument ${argv[i]}; usage: deploy-cycle.ts [--rounds N] [--only kexec:kvm-el2,reboot:xen-el1]`);
  }
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds needs a whole number of at least 1');
  return { rounds, cases };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { rounds, cases } = parseArgs(process.argv.slice(2));
  const figures = await measureDeployCycles({ rounds, cases, log: (line) => process.stderr.write(`[bench] ${line}\n`) });
  const kernel = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
  process.stdout.write(`${formatCycleTable(figures, kernel.release)}\n`);
}
