// The `fault-storm:` setting of a scenario or step, and the rule it resolves to; oracles/fault-storm.ts applies that rule to the kernel log.
import { z } from 'zod';
import { regexSource } from '../config/fields.ts';

export const DEFAULT_FAULT_STORM_MAX = 20;
/** arm-smmu-v3 (6.1) opens each event dump with `event 0x%02x received:` and follows it with `\t0x%016llx` lines. */
export const DEFAULT_FAULT_PATTERN = 'arm-smmu-v3 .*: event 0x[0-9a-f]+ received';
/**
 * arm_smmu_evtq_thread prints at most DEFAULT_RATELIMIT_BURST (10) events per 5 s; ___ratelimit logs how many it
 * dropped as `arm_smmu_evtq_thread: N callbacks suppressed` with the first event of a later interval (measured under
 * QEMU: a boot-time flood printed 10 events, and the next start's first fault came with `246 callbacks suppressed`).
 * Those N faults happened too, so they count, once the window has printed a fault of its own.
 */
export const DEFAULT_SUPPRESSED_PATTERN = 'arm_smmu_evtq_thread: (\\d+) callbacks suppressed';
export interface FaultStormRule {
  /** The step fails when more than this many faults are counted. */
  max: number;
  /** Regex a fault record matches (one fault each). */
  pattern: string;
  /** Regex whose first group is a number of faults the kernel did not print; undefined when none is known. */
  suppressed: string | undefined;
}

const ruleOverrides = z
  .strictObject({
    max: z
      .int()
      .nonnegative()
      .optional()
      .describe(
        `Fail the step when more than this many SMMU faults are counted in it. Default ${DEFAULT_FAULT_STORM_MAX}. ` +
          'arm-smmu-v3 prints at most 10 faults per 5 s; the ones it suppresses count too, from its "N callbacks suppressed" line.',
      ),
    pattern: regexSource.optional().describe(`Regex one fault record matches. Default: ${DEFAULT_FAULT_PATTERN}`),
    suppressed: regexSource
      .superRefine((value, context) => {
        if (captureGroups(value) === 0) context.addIssue({ code: 'custom', message: 'expected a regex with a (group) capturing the number of faults' });
      })
      .optional()
      .describe('Regex for a rate-limit line whose first group is a number of faults left unprinted. Default: the arm-smmu-v3 one, with the default pattern.'),
  })
  .superRefine((value, context) => {
    if (value.max === undefined && value.pattern === undefined && value.suppressed === undefined) {
      context.addIssue({ code: 'custom', message: 'expected at least one of max, pattern or suppressed, or the word off' });
    }
  })
  // JSON Schema for "not an empty mapping", in keywords every editor knows.
  .meta({ anyOf: [{ required: ['max'] }, { required: ['pattern'] }, { required: ['suppressed'] }] });

/** How many groups a regex captures (-1 when it is not one); the empty alternative makes any regex match ''. */
function captureGroups(source: string): number {
  try {
    return new RegExp(`${source}|`).exec('')!.length - 1;
  } catch {
    return -1;
  }
}

/** `fault-storm:` at scenario level (every step) or on one step (overrides the scenario's for that step). */
export const faultStormSetting = z
  .union([z.literal('off'), ruleOverrides])
  .describe(
    `SMMU fault-storm rule: a step during which the SMMU reports more than max faults (default ${DEFAULT_FAULT_STORM_MAX}) fails at once with F_FAULT_STORM. ` +
      'It is on for every step by default. A scenario or step that is meant to cause SMMU faults (the missing-mapping regression) says `fault-storm: off` ' +
      'or raises max, and asserts on the faults with expect-dmesg. A step setting overrides the scenario setting: `off` on a step switches the rule off for it; ' +
      'a mapping on a step switches it on for that step even when the scenario says off, taking unset keys from the scenario, then the defaults.',
  );

export type FaultStormSetting = z.output<typeof faultStormSetting>;

/** The rule a step runs under, or undefined when the rule is off for it. */
export function resolveFaultStormRule(scenario: FaultStormSetting | undefined, step: FaultStormSetting | undefined): FaultStormRule | undefined {
  if (step === 'off' || (scenario === 'off' && step === undefined)) return undefined;
  const base = scenario === 'off' || scenario === undefined ? {} : scenario;
  const own = step ?? {};
  const pattern = own.pattern ?? base.pattern ?? DEFAULT_FAULT_PATTERN;
  // A pattern of one's own says nothing about which rate-limit line belongs to it, so only the default pattern brings one.
  const suppressed = own.suppressed ?? base.suppressed ?? (pattern === DEFAULT_FAULT_PATTERN ? DEFAULT_SUPPRESSED_PATTERN : undefined);
  return { max: own.max ?? base.max ?? DEFAULT_FAULT_STORM_MAX, pattern, suppressed };
}

/** Counts the faults in a stream of records, keeping the first lines of the storm for evidence. */
