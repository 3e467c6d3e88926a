// The flags of `pilot compare`, declared once.
import { defineCommand } from '../command-spec.ts';
import { IMAGE_KERNEL, SIM_VARIANTS } from '../kernel-flags.ts';
import { KERNEL_FORMS, MATRIX_FLAGS } from './shared-flags.ts';

export const COMPARE = defineCommand({
  name: 'compare',
  summary: 'run scenarios on a baseline and a patched kernel and report what changed',
  operands: '--baseline K --patched K [files or dirs…]',
  about: [
    'Runs the same scenarios on every profile twice, on the baseline kernel and on the patched one, and says per',
    'scenario and profile what changed: REGRESSED (passed before, fails now), FIXED, STILL FAILING, UNCHANGED, and',
    'INCONCLUSIVE when a side hit an infrastructure ERROR. Default path: scenarios/',
    '',
    `kernels (K): ${KERNEL_FORMS},\nor '${IMAGE_KERNEL}' for the kernel the guest image boots (no push)`,
  ].join('\n'),
  flags: {
    baseline: { value: 'K', description: 'the kernel before the patch' },
    patched: { value: 'K', description: 'the kernel with the patch' },
    'baseline-modules': { value: 'M', description: 'modules for a baseline Image' },
    'patched-modules': { value: 'M', description: 'modules for a patched Image' },
    deploy: MATRIX_FLAGS.deploy,
    'baseline-sim': { value: 'V', description: `build the simulated-SoC module of that side in a fault variant: ${Object.keys(SIM_VARIANTS).join(', ')}` },
    'patched-sim': { value: 'V', description: '(a negative control: shows what a regression pilot catches looks like)' },
    jobs: MATRIX_FLAGS.jobs,
    profile: MATRIX_FLAGS.profile,
    timeout: MATRIX_FLAGS.timeout,
    board: MATRIX_FLAGS.board,
    'known-issues': MATRIX_FLAGS['known-issues'],
    artifacts: { value: 'DIR', description: 'base folder; baseline/ and patched/ are made in a timestamped folder', default: './artifacts' },
    json: { value: 'FILE', description: 'compare report as JSON', default: '<artifacts>/compare.json' },
    junit: { value: 'FILE', description: 'compare report as JUnit, one testcase per scenario@profile', default: '<artifacts>/compare-junit.xml' },
  },
  epilogue: 'exit codes: 0 no regression, 1 a regression, 2 bad input or nothing could be compared (every pair inconclusive), 130 interrupted',
});
