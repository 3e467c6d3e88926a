// expect-el: asserts the exception level Linux booted at, as the kernel itself reported it.
import { z } from 'zod';
import { AssertionFailure, InfraError } from '../core/errors.ts';
import { formatKmsg } from '../guest/guest.ts';
import { readKernelFacts } from '../guest/kernel-facts.ts';
import { defineStepKind } from './step.ts';

const schema = z
  .literal([1, 2, 'profile'])
  .describe('1 or 2, or "profile" for the exception level of the profile the scenario runs on.');

type Spec = z.output<typeof schema>;

export const expectEl = defineStepKind<Spec>({
  name: 'expect-el',
  description: 'Asserts the exception level Linux started at, from the kernel line "CPU: All CPU(s) started at EL<n>".',
  schema,
  title: (spec) => (spec === 'profile' ? 'expect-el: as the profile says' : `expect-el: EL${spec}`),
  async run(spec, context) {
    const log = context.guest.kernelLog;
    await log.sync({ signal: context.signal, deadline: context.deadline });
    const facts = readKernelFacts(log.records);
    const expected = spec === 'profile' ? context.profile.el : spec;
    const because = spec === 'profile' ? ` (profile ${context.profile.name})` : '';
    const el = facts.el;
    if (!el) {
      if (facts.bootSeq === undefined) {
        throw new InfraError('E_EL_UNKNOWN', 'the kernel log read so far does not reach back to boot, so the EL line is not in it', {
          hint: 'The kmsg reader must start from the first record (or the ring buffer overflowed before it was read).',
        });
      }
      throw new AssertionFailure('F_EL_MISSING', `the kernel never printed "CPU: All CPU(s) started at EL<n>", expected EL${expected}${because}`);
    }
    const record = log.records.find((candidate) => candidate.seq === el.seq);
    const evidence = [record ? formatKmsg(record) : el.line];
    if (el.value === 'mixed') {
      throw new AssertionFailure('F_EL_MIXED', `CPUs started in inconsistent exception levels, expected all at EL${expected}${because}`, { evidence });
    }
    if (el.value !== expected) {
      throw new AssertionFailure('F_EL_MISMATCH', `Linux started at EL${el.value}, expected EL${expected}${because}`, { evidence });
    }
    context.note(`Linux started at EL${el.value}${because}`);
  },
});
