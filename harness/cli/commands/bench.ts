// `pilot bench`: prints boot figures per profile so speed targets are shown by numbers, not by timed tests.
import { buildImages } from '../../images/build.ts';
import { PROFILES, PROFILE_NAMES, isProfileName } from '../../machine/profile.ts';
import { pilotSshReady, rawConsoleReady, type BootTiming } from '../../bench/boot-timing.ts';
import { InputError } from '../../core/errors.ts';
import { listFlag, parseFlags, positiveInteger } from '../args.ts';
import { trapInterrupts } from '../interrupt.ts';
import { EXIT } from '../exit-codes.ts';

const TARGET_RATIO = 1.3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function benchCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags('bench', argv, {
    profile: { type: 'string', multiple: true },
    rounds: { type: 'string' },
    json: { type: 'boolean' },
  });
  const rounds = positiveInteger('--rounds', values.rounds, 3);
  const names = listFlag(values.profile);
  for (const name of names) if (!isProfileName(name)) throw new InputError('E_BAD_FLAG', `--profile: expected one of ${PROFILE_NAMES.join(', ')}, got '${name}'`);
  const profiles = (names.length ? names : PROFILE_NAMES).map((name) => PROFILES[name as keyof typeof PROFILES]);
  const interrupts = trapInterrupts();
  try {
    const images = await buildImages({ signal: interrupts.signal });
    const rows: Array<BootTiming & { ratio: number }> = [];
    process.stdout.write(`pilot bench: ${rounds} round(s) per profile, median shown; machines run one at a time\n`);
    for (const profile of profiles) {
      const raw: number[] = [];
      const ssh: number[] = [];
      for (let round = 1; round <= rounds; round++) {
        // Alternate the order so warm caches favour neither side.
        if (round % 2) {
          raw.push(await rawConsoleReady(profile, images, interrupts.signal));
          ssh.push(await pilotSshReady(profile, images, interrupts.signal));
        } else {
          ssh.push(await pilotSshReady(profile, images, interrupts.signal));
          raw.push(await rawConsoleReady(profile, images, interrupts.signal));
        }
        process.stdout.write(`  ${profile.name} round ${round}: console-ready ${(raw.at(-1)! / 1000).toFixed(2)} s, ssh-ready ${(ssh.at(-1)! / 1000).toFixed(2)} s\n`);
      }
      const row = { profile: profile.name, rawConsoleReadyMs: median(raw), pilotSshReadyMs: median(ssh) };
      rows.push({ ...row, ratio: row.pilotSshReadyMs / row.rawConsoleReadyMs });
    }
    if (values.json) {
      process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    } else {
      process.stdout.write('\nprofile    raw QEMU → console ready   pilot → SSH ready   ratio   target\n');
      for (const row of rows) {
        const verdict = row.ratio <= TARGET_RATIO ? 'ok' : `over ${TARGET_RATIO}x`;
        process.stdout.write(
          `${row.profile.padEnd(10)} ${(row.rawConsoleReadyMs / 1000).toFixed(2).padStart(22)} s ${(row.pilotSshReadyMs / 1000).toFixed(2).padStart(17)} s ${row.ratio.toFixed(2).padStart(6)}x   ${verdict}\n`,
        );
      }
    }
    return EXIT.passed;
  } finally {
    interrupts.dispose();
  }
}
