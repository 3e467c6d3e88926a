// `pilot run <files or dirs>`: flags checked here; loading, images, planning, the runs and the reports in runSession.
import { availableParallelism } from 'node:os';
import { InputError } from '../../core/errors.ts';
import { PROFILE_NAMES } from '../../model/profile.ts';
import { runSession } from '../../runner/session.ts';
import { parseShardFlag } from '../../runner/shard.ts';
import { durationFlag, parseFlags, positiveInteger } from '../args.ts';
import { EXIT, exitCodeFor } from '../exit-codes.ts';
import { kernelFlag } from '../kernel-flags.ts';
import { profileFlag } from '../scenario-args.ts';
import { terminalIo } from '../terminal-io.ts';

const HELP = `usage: pilot run [files or dirs…] [options]

Boots every scenario on each profile it names and asserts on the kernel's behaviour.
Default path: scenarios/

options:
  -j, --jobs N         runs in parallel (default: number of cores)
  -p, --profile P      only these profiles (repeat or comma-separate): ${PROFILE_NAMES.join(', ')}
  -t, --timeout T      per-run timeout replacing the scenarios' own (e.g. 90s, 5m)
      --artifacts DIR  base folder for artifacts (default: ./artifacts; a timestamped folder is made inside)
      --shard I/N      run only share I of N of the matrix (stable, balanced by --durations), for parallel CI jobs
      --durations F    an earlier results.json (or its folder) whose run durations balance the shards
      --board FILE     run on a lab board reached over SSH (see boards/) instead of QEMU, on the profile it claims
      --kcidb FILE     also write the results as a KCIDB I/O document (checkouts, builds, tests) for KernelCI
      --known-issues F known failures (default: known-issues.yaml when present); matching ones are reported KNOWN
  -k, --kernel K       push this kernel after boot and run the steps on it, replacing the scenarios' kernel: keys.
                       K is a build tree (make ARCH=arm64 Image modules), an Image with --modules, a .deb,
                       or a Debian package name such as linux-image-rt-arm64
      --modules M      lib/modules/<release> folder or tarball for an Image given to --kernel
      --deploy D       how the kernel starts: auto (default: kexec, reboot where kexec is impossible), kexec, reboot
  -h, --help

exit codes: 0 all passed, 1 some failed (none errored), 2 infrastructure error or bad input, 130 interrupted`;


export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('run', argv, {
    jobs: { type: 'string', short: 'j' },
    profile: { type: 'string', short: 'p', multiple: true },
    timeout: { type: 'string', short: 't' },
    artifacts: { type: 'string' },
    kernel: { type: 'string', short: 'k' },
    modules: { type: 'string' },
    deploy: { type: 'string' },
    shard: { type: 'string' },
    durations: { type: 'string' },
    'known-issues': { type: 'string' },
    board: { type: 'string' },
    kcidb: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.passed;
  }
  if (values.durations !== undefined && values.shard === undefined) throw new InputError('E_BAD_FLAG', '--durations balances shards: it goes with --shard I/N');
  const summary = await runSession(
    {
      paths: positionals,
      boardFile: values.board,
      profiles: profileFlag(values.profile),
      jobs: positiveInteger('--jobs', values.jobs, availableParallelism()),
      timeoutMs: durationFlag('--timeout', values.timeout),
      kernel: await kernelFlag(values.kernel, values.modules, values.deploy),
      shard: values.shard === undefined ? undefined : parseShardFlag(values.shard),
      durationsFile: values.durations,
      knownIssuesFile: values['known-issues'],
      artifactsBase: values.artifacts,
      kcidbFile: values.kcidb,
    },
    terminalIo,
  );
  return exitCodeFor(summary);
}
