// `pilot bench`: prints boot figures per profile so speed targets are shown by numbers, not by timed tests.
import { buildImages } from '../../images/build.ts';
import { PROFILES, PROFILE_NAMES, isProfileName } from '../../model/profile.ts';
import { pilotSshReady, rawConsoleReady, type BootTiming } from '../../bench/boot-timing.ts';
import { InputError } from '../../core/errors.ts';
import { median } from '../../core/stats.ts';
import { socBringUp, type SocBringUpTiming } from '../../bench/soc-bringup.ts';
import { listFlag, positiveInteger } from '../args.ts';
import { parseCommandLine } from '../parse-command-line.ts';
import { printHelp } from '../render-help.ts';
import { BENCH } from '../specs/bench.ts';
import { trapInterrupts } from '../interrupt.ts';
import { EXIT } from '../exit-codes.ts';
import { formatCycleTable, measureDeployCycles } from '../../bench/deploy-cycle.ts';
import { formatDeployRatios, measureDeployRatios } from '../../bench/deploy-ratios.ts';
import { resolveKernelInput } from '../../kernel/input.ts';
import { formatRealSocTable, realSocBringUp, type RealSocTiming } from '../../bench/real-soc-bringup.ts';

const TARGET_RATIO = 1.3;
const SOC_TARGET_MS = 3000;

export async function benchCommand(argv: string[]): Promise<number> {
  const { help, values, positionals } = parseCommandLine(BENCH, argv);
  if (help) return printHelp(BENCH);
  if (positionals.length) throw new InputError('E_BAD_FLAG', `pilot bench: unexpected argument '${positionals[0]}' (see pilot bench --help)`);
  if (values.deploy) return benchDeploys(positiveInteger('--rounds', values.rounds, 3));
  if (values.ratios) return benchRatios(listFlag(values.profile), positiveInteger('--rounds', values.rounds, 3), values.json === true);
  const rounds = positiveInteger('--rounds', values.rounds, 3);
  const names = listFlag(values.profile);
  for (const name of names) if (!isProfileName(name)) throw new InputError('E_BAD_FLAG', `--profile: expected one of ${PROFILE_NAMES.join(', ')}, got '${name}'`);
  const profiles = (names.length ? names : PROFILE_NAMES).map((name) => PROFILES[name as keyof typeof PROFILES]);
  const interrupts = trapInterrupts();
  try {
    const real = !values['skip-real'];
    const images = await buildImages({ signal: interrupts.signal, realSoc: real, realSocXen: real && profiles.some((p) => p.hypervisor === 'xen') });
    // The boot figures compare pilot with raw QEMU on the same SoC-less machine; the SoC has its own figures below.
    const plainImages = await buildImages({ signal: interrupts.signal, soc: false });
    const rows: Array<BootTiming & { ratio: number }> = [];
    process.stdout.write(`pilot bench: ${rounds} round(s) per profile, median shown; machines run one at a time\n`);
    for (const profile of profiles) {
      const raw: number[] = [];
      const ssh: number[] = [];
      for (let round = 1; round <= rounds; round++) {
        // Alternate the order so warm caches favour neither side.
        if (round % 2) {
          raw.push(await rawConsoleReady(profile, plainImages, interrupts.signal));
          ssh.push(await pilotSshReady(profile, plainImages, interrupts.signal));
        } else {
          ssh.push(await pilotSshReady(profile, plainImages, interrupts.signal));
          raw.push(await rawConsoleReady(profile, plainImages, interrupts.signal));
        }
        process.stdout.write(`  ${profile.name} round ${round}: console-ready ${(raw.at(-1)! / 1000).toFixed(2)} s, ssh-ready ${(ssh.at(-1)! / 1000).toFixed(2)} s\n`);
      }
      const row = { profile: profile.name, rawConsoleReadyMs: median(raw), pilotSshReadyMs: median(ssh) };
      rows.push({ ...row, ratio: row.pilotSshReadyMs / row.rawConsoleReadyMs });
    }
    const soc: SocBringUpTiming[] = [];
    if (!values['skip-soc']) {
      for (const profile of profiles) {
        const timings: SocBringUpTiming[] = [];
        for (let round = 1; round <= rounds; round++) timings.push(await socBringUp(profile, { withSoc: images, withoutSoc: plainImages }, interrupts.signal));
        soc.push({
          profile: profile.name,
          sshReadyWithoutSocMs: median(timings.map((t) => t.sshReadyWithoutSocMs)),
          sshReadyWithSocMs: median(timings.map((t) => t.sshReadyWithSocMs)),
          upAfterSshMs: median(timings.map((t) => t.upAfterSshMs)),
        });
      }
    }
    const realSoc: RealSocTiming[] = [];
    for (const profile of real ? profiles : []) {
      const timings: RealSocTiming[] = [];
      for (let round = 1; round <= rounds; round++) {
        timings.push(await realSocBringUp(profile, images, interrupts.signal));
        const last = timings.at(-1)!;
        process.stdout.write(`  ${profile.name} real SoC round ${round}: ssh-ready ${(last.sshReadyPlainMs / 1000).toFixed(2)} s → ${(last.sshReadyFirmwareMs / 1000).toFixed(2)} s with the EL3 firmware, DSPs up ${(last.dspsUpAfterSshMs / 1000).toFixed(2)} s later\n`);
      }
      realSoc.push({
        profile: profile.name,
        sshReadyPlainMs: median(timings.map((t) => t.sshReadyPlainMs)),
        sshReadyFirmwareMs: median(timings.map((t) => t.sshReadyFirmwareMs)),
        dspsUpAfterSshMs: median(timings.map((t) => t.dspsUpAfterSshMs)),
      });
    }
    if (values.json) {
      process.stdout.write(JSON.stringify({ boot: rows, soc, realSoc }, null, 2) + '\n');
    } else {
      process.stdout.write('\nprofile    raw QEMU → console ready   pilot → SSH ready   ratio   target\n');
      for (const row of rows) {
        const verdict = row.ratio <= TARGET_RATIO ? 'ok' : `over ${TARGET_RATIO}x`;
        process.stdout.write(
          `${row.profile.padEnd(10)} ${(row.rawConsoleReadyMs / 1000).toFixed(2).padStart(22)} s ${(row.pilotSshReadyMs / 1000).toFixed(2).padStart(17)} s ${row.ratio.toFixed(2).padStart(6)}x   ${verdict}\n`,
        );
      }
    }
    if (!values.json && soc.length) {
      process.stdout.write('\nsimulated SoC (ADSP, CDSP up and Iris opened)\nprofile    SSH ready without SoC   with SoC   then all up   added by the SoC   target\n');
      for (const row of soc) {
        const added = row.sshReadyWithSocMs - row.sshReadyWithoutSocMs + row.upAfterSshMs;
        const seconds = (ms: number) => (ms / 1000).toFixed(2);
        process.stdout.write(
          `${row.profile.padEnd(10)} ${seconds(row.sshReadyWithoutSocMs).padStart(19)} s ${seconds(row.sshReadyWithSocMs).padStart(8)} s ${seconds(row.upAfterSshMs).padStart(11)} s ${seconds(added).padStart(16)} s   ${added < SOC_TARGET_MS ? 'ok' : 'over 3 s'}\n`,
        );
      }
    }
    if (!values.json && realSoc.length) process.stdout.write('\n' + formatRealSocTable(realSoc, images.realSoc!.kernel.release) + '\n');
    return EXIT.passed;
  } finally {
    interrupts.dispose();
  }
}

/** `pilot bench --ratios` (npm run bench): the kernel-under-test cycles as ratios to a cold boot, with PASS/MISS per target. */
async function benchRatios(profiles: string[], rounds: number, json: boolean): Promise<number> {
  if (profiles.length > 1) throw new InputError('E_BAD_FLAG', `--ratios measures one profile, got ${profiles.join(', ')}`);
  const profile = profiles[0] ?? 'kvm-el2';
  if (!isProfileName(profile)) throw new InputError('E_BAD_FLAG', `--profile: expected one of ${PROFILE_NAMES.join(', ')}, got '${profile}'`);
  const interrupts = trapInterrupts();
  try {
    const images = await buildImages({ signal: interrupts.signal });
    const kernel = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' }, { signal: interrupts.signal });
    process.stdout.write(`pilot bench --ratios: ${rounds} round(s) on ${profile}, each round a cold boot, a direct boot, push + kexec and push + reboot; machines run one at a time\n`);
    const ratios = await measureDeployRatios({ profile, rounds, images, kernel, signal: interrupts.signal, log: (line) => process.stdout.write(`  ${line}\n`) });
    process.stdout.write(json ? `${JSON.stringify(ratios, null, 2)}\n` : `\n${formatDeployRatios(ratios)}\n`);
    return EXIT.passed;
  } finally {
    interrupts.dispose();
  }
}

/** `pilot bench --deploy`: push + kexec and push + reboot cycles of Debian's rt kernel, per profile. */
async function benchDeploys(rounds: number): Promise<number> {
  process.stdout.write(`pilot bench --deploy: ${rounds} deploy(s) per method and profile, median shown\n`);
  const kernel = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
  const figures = await measureDeployCycles({ rounds, log: (line) => process.stdout.write(`  ${line}\n`) });
  process.stdout.write('\n' + formatCycleTable(figures, kernel.release) + '\n');
  return EXIT.passed;
}
