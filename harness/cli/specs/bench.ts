// The flags of `pilot bench`, declared once.
import { PROFILE_NAMES } from '../../model/profile.ts';
import { defineCommand } from '../command-spec.ts';

export const BENCH = defineCommand({
  name: 'bench',
  summary: 'measure boot-to-console and boot-to-SSH per profile',
  about: [
    'Boots each profile on raw QEMU and under pilot, alternately, and prints the median boot figures against their targets;',
    'then how long the simulated SoC takes to come up, and what the real SoC (EL3 firmware, the kernel\'s own drivers) costs. Machines run one at a time.',
  ].join('\n'),
  flags: {
    profile: { value: 'P', repeatable: true, description: `only these profiles (repeat or comma-separate): ${PROFILE_NAMES.join(', ')}`, default: 'all' },
    rounds: { value: 'N', description: 'boots per profile and figure; the median is shown', default: '3' },
    json: { description: 'print the figures as JSON instead of tables' },
    'skip-soc': { description: 'leave out the simulated-SoC bring-up figures' },
    'skip-real': { description: 'leave out the real SoC figures (SSH-ready with the EL3 firmware against today\'s machine line, ADSP and CDSP up on the kernel\'s own drivers)' },
    deploy: { description: 'measure push + kexec and push + reboot cycles of Debian\'s rt kernel instead' },
    ratios: {
      description: 'instead: Debian\'s rt kernel booted direct, pushed + kexec\'d and pushed + rebooted, as ratios to a cold boot, against their targets (one profile, default kvm-el2; npm run bench)',
    },
  },
});
