// `pilot compare --baseline K --patched K [scenarios]`: flags checked here; the two runs and the comparison in compareSession.
import { availableParallelism } from 'node:os';
import { PROFILE_NAMES } from '../../model/profile.ts';
import { compareExitCode } from '../../report/compare/compare.ts';
import { compareSession } from '../../runner/compare-session.ts';
import { DEPLOY_METHODS } from '../../scenario/schema.ts';
import { durationFlag, parseFlags, positiveInteger } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { compareSideFlags, IMAGE_KERNEL, SIM_VARIANTS } from '../kernel-flags.ts';
import { deployFlag, profileFlag } from '../scenario-args.ts';
import { terminalIo } from '../terminal-io.ts';

const HELP = `usage: pilot compare --baseline K --patched K [files or dirs…] [options]

Runs the same scenarios on every profile twice, on the baseline kernel and on the patched one, and says per
scenario and profile what changed: REGRESSED (passed before, fails now), FIXED, STILL FAILING, UNCHANGED, and
INCONCLUSIVE when a side hit an infrastructure ERROR. Default path: scenarios/

kernels (K): a build tree (make ARCH=arm64 Image modules), an Image with --*-modules, a .deb, a Debian package
name such as linux-image-rt-arm64, or '${IMAGE_KERNEL}' for the kernel the guest image boots (no push)

options:
      --baseline K          the kernel before the patch
      --patched K           the kernel with the patch
      --baseline-modules M  modules for a baseline Image
      --patched-modules M   modules for a patched Image
      --deploy D            ${DEPLOY_METHODS.join(', ')} (default auto: kexec, reboot where kexec is impossible)
      --baseline-sim V      build the simulated-SoC module of that side in a fault variant: ${Object.keys(SIM_VARIANTS).join(', ')}
      --patched-sim V       (a negative control: shows what a regression pilot catches looks like)
  -j, --jobs N              runs in parallel (default: number of cores)
  -p, --profile P           only these profiles: ${PROFILE_NAMES.join(', ')}
  -t, --timeout T           per-run timeout replacing the scenarios' own
      --board FILE          run on a lab board reached over SSH (see boards/) instead of QEMU, on the profile it claims
      --known-issues F      known failures (default: known-issues.yaml when present); matching ones are reported KNOWN
      --artifacts DIR       base folder (default ./artifacts); baseline/ and patched/ are made in a timestamped folder
      --json FILE           compare report as JSON (default: <artifacts>/compare.json)
      --junit FILE          compare report as JUnit, one testcase per scenario@profile (default: <artifacts>/compare-junit.xml)
  -h, --help

exit codes: 0 no regression, 1 a regression, 2 bad input or nothing could be compared (every pair inconclusive), 130 interrupted`;

export async function compareCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('compare', argv, {
    baseline: { type: 'string' },
    patched: { type: 'string' },
    'baseline-modules': { type: 'string' },
    'patched-modules': { type: 'string' },
    'baseline-sim': { type: 'string' },
    'patched-sim': { type: 'string' },
    deploy: { type: 'string' },
    jobs: { type: 'string', short: 'j' },
    profile: { type: 'string', short: 'p', multiple: true },
    timeout: { type: 'string', short: 't' },
    board: { type: 'string' },
    'known-issues': { type: 'string' },
    artifacts: { type: 'string' },
    json: { type: 'string' },
    junit: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.passed;
  }
  const deploy = deployFlag(values.deploy) ?? 'auto';
  const comparison = await compareSession(
    {
      sides: [
        await compareSideFlags('baseline', values.baseline, values['baseline-modules'], values['baseline-sim'], deploy),
        await compareSideFlags('patched', values.patched, values['patched-modules'], values['patched-sim'], deploy),
      ],
      paths: positionals,
      boardFile: values.board,
      profiles: profileFlag(values.profile),
      jobs: positiveInteger('--jobs', values.jobs, availableParallelism()),
      timeoutMs: durationFlag('--timeout', values.timeout),
      knownIssuesFile: values['known-issues'],
      artifactsBase: values.artifacts,
      jsonFile: values.json,
      junitFile: values.junit,
    },
    terminalIo,
  );
  return comparison ? compareExitCode(comparison) : EXIT.interrupted;
}
