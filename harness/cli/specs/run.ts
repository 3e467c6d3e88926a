// The flags of `pilot run`, declared once.
import { PROFILE_NAMES } from '../../model/profile.ts';
import { defineCommand } from '../command-spec.ts';
import { KERNEL_FORMS, MATRIX_FLAGS } from './shared-flags.ts';

export const RUN = defineCommand({
  name: 'run',
  summary: 'boot scenarios on their profiles and report',
  operands: '[files or dirs…]',
  about: 'Boots every scenario on each profile it names and asserts on the kernel\'s behaviour.\nDefault path: scenarios/',
  flags: {
    jobs: MATRIX_FLAGS.jobs,
    profile: { ...MATRIX_FLAGS.profile, description: `only these profiles (repeat or comma-separate): ${PROFILE_NAMES.join(', ')}` },
    timeout: { ...MATRIX_FLAGS.timeout, description: 'per-run timeout replacing the scenarios\' own (e.g. 90s, 5m)' },
    artifacts: { value: 'DIR', description: 'base folder for artifacts; a timestamped folder is made inside', default: './artifacts' },
    shard: { value: 'I/N', description: 'run only share I of N of the matrix (stable, balanced by --durations), for parallel CI jobs' },
    durations: { value: 'F', description: 'an earlier results.json (or its folder) whose run durations balance the shards' },
    board: MATRIX_FLAGS.board,
    kcidb: { value: 'FILE', description: 'also write the results as a KCIDB I/O document (checkouts, builds, tests) for KernelCI' },
    'known-issues': MATRIX_FLAGS['known-issues'],
    kernel: {
      alias: 'k',
      value: 'K',
      description: `push this kernel after boot and run the steps on it, replacing the scenarios' kernel: keys.\nK is ${KERNEL_FORMS}`,
    },
    modules: { value: 'M', description: 'lib/modules/<release> folder or tarball for an Image given to --kernel' },
    deploy: MATRIX_FLAGS.deploy,
    retries: { value: 'N', description: 'run again, up to N times, a run that ended in ERROR (never one that FAILed); every attempt keeps its artifacts, and a pass after an ERROR is reported as flaky' },
    'keep-failed': { description: 'leave the QEMU machine of a run that FAILed or ERRORed running, print how to get in (pilot shell RUN,\nor the ssh line), and wait after the summary until Ctrl-C or --keep-for ends them' },
    'keep-for': { value: 'T', description: 'with --keep-failed, how long each kept machine stays up at most (e.g. 2h)', default: '30m; 10m at most when CI=true' },
    gdb: { description: 'start every QEMU machine with a gdbstub on a free 127.0.0.1 port and nokaslr, and print the gdb-multiarch\ncommand for it (with the kernel\'s vmlinux when pilot knows one); the machine still stops when its run ends,\nunless --keep-failed keeps it' },
    bisect: { description: 'exit as `git bisect run` reads it: 0 all passed, 1 a FAIL, 125 (skip this commit) for an ERROR, an interrupt or bad input' },
  },
  epilogue: 'exit codes: 0 all passed, 1 some failed (none errored), 2 infrastructure error or bad input, 130 interrupted (with --bisect: 0, 1, or 125)',
});
