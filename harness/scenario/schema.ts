// The scenario format, defined once: the loader validates with it and `pilot schema` derives the JSON Schema from it.
import { z } from 'zod';
import { closest } from 'fastest-levenshtein';
import { PROFILE_NAMES, type ProfileName } from '../model/profile.ts';
import { DEFAULT_SOC, SOC_KINDS, type SocKind } from '../model/soc-kind.ts';
import { faultStormSetting, type FaultStormSetting } from './fault-storm-setting.ts';
import { KERNEL_ERROR_PATTERN_NAMES, isKernelErrorPatternName, type KernelErrorOptOut } from '../model/kernel-error-patterns.ts';
import type { AnyStepFormat } from './step-format.ts';
import { describeValue, duration, regexSource } from '../config/fields.ts';
import { scenarioKnownIssueSchema, type ScenarioKnownIssueEntry } from '../config/known-issue-schema.ts';

export const SCENARIO_NAME_PATTERN = /^[a-z0-9-]+$/;
/** Keys any step may carry next to its kind key. */
export const STEP_COMMON_KEYS = ['name', 'timeout', 'fault-storm'] as const;
export const DEFAULT_SCENARIO_TIMEOUT = '3m';

const profileName = z.enum(PROFILE_NAMES).describe('A platform profile.');
const overlayNames = z.array(z.string().min(1)).describe('Device-tree overlay names, applied in order.');

const profiles = z
  .array(profileName)
  .min(1)
  .superRefine((list, context) => {
    list.forEach((name, index) => {
      if (list.indexOf(name) !== index) context.addIssue({ code: 'custom', message: `${name} is listed twice`, path: [index] });
    });
  })
  .default([...PROFILE_NAMES])
  .describe('Profiles to run on, once each. Default: all of them.');

const dtbOverlays = z
  .union([
    overlayNames,
    z.strictObject(Object.fromEntries(PROFILE_NAMES.map((name) => [name, overlayNames.optional()])) as Record<ProfileName, z.ZodOptional<typeof overlayNames>>),
  ])
  .describe('Overlays applied on every profile (a list), or per profile (a mapping from profile to list).');

export const DEPLOY_METHODS = ['auto', 'kexec', 'reboot', 'direct'] as const;
export type DeployChoice = (typeof DEPLOY_METHODS)[number];

const deployMethod = z
  .enum(DEPLOY_METHODS)
  .describe('auto: kexec where the profile allows it, reboot through the bootloader where it does not (xen-el1); direct: QEMU boots the kernel under test from the start, with an initrd assembled on the host (not on boards).');

/** Exactly one source of the kernel under test; paths are relative to the scenario file. */
const kernelUnderTest = z
  .strictObject({
    'build-dir': z.string().min(1).optional().describe('A kernel tree built with make ARCH=arm64 Image modules.'),
    image: z.string().min(1).optional().describe('An arm64 Image or Image.gz; needs `modules`.'),
    modules: z.string().min(1).optional().describe('lib/modules/<release> (or its parent, or a tarball of either) for `image`.'),
    debian: z.string().regex(/^linux-image-[a-z0-9.+-]*arm64$/, { error: 'expected a Debian package name like linux-image-rt-arm64' }).optional().describe('A Debian linux-image-*-arm64 package, installed with its headers from apt.'),
    deb: z.string().min(1).optional().describe('A linux-image .deb file.'),
    deploy: z
      .union([deployMethod, z.strictObject(Object.fromEntries(PROFILE_NAMES.map((name) => [name, deployMethod.optional()])) as Record<ProfileName, z.ZodOptional<typeof deployMethod>>)])
      .default('auto')
      .describe('How the pushed kernel is started: one method, or one per profile.'),
  })
  .superRefine((value, context) => {
    const sources = (['build-dir', 'image', 'debian', 'deb'] as const).filter((key) => value[key] !== undefined);
    if (sources.length !== 1) {
      context.addIssue({ code: 'custom', message: sources.length ? `give one kernel source, not ${sources.join(' and ')}` : 'expected one of build-dir, image (+ modules), debian or deb' });
    }
    if (value.image !== undefined && value.modules === undefined) context.addIssue({ code: 'custom', message: 'an Image needs `modules:` beside it: the folder or tarball of its lib/modules/<release>', path: ['image'] });
    if (value.modules !== undefined && value.image === undefined) context.addIssue({ code: 'custom', message: 'modules go with image', path: ['modules'] });
  })
  .describe('A kernel to push and start after the image boots; the steps then run on it. `pilot run --kernel` overrides it.');

/** Lowercase words are taken for pattern names, so a misspelt name is an error rather than a regex that never matches. */
const optOutPattern = z
  .union([
    z.enum(KERNEL_ERROR_PATTERN_NAMES),
    regexSource.superRefine((value, context) => {
      if (/^[a-z-]+$/.test(value) && !isKernelErrorPatternName(value)) {
        context.addIssue({
          code: 'custom',
          message: `unknown pattern name ${describeValue(value)}; did you mean '${closest(value, [...KERNEL_ERROR_PATTERN_NAMES])}'? (names: ${KERNEL_ERROR_PATTERN_NAMES.join(', ')}; anything else is a regex)`,
        });
      }
    }),
  ])
  .describe(`An oracle pattern name (${KERNEL_ERROR_PATTERN_NAMES.join(', ')}) or a regex matched against the first line of the report.`);

const kernelErrorOptOut = z
  .strictObject({
    pattern: optOutPattern,
    reason: z
      .string({ error: (issue) => (issue.input === undefined ? 'required: say why this kernel error is acceptable' : undefined) })
      .trim()
      .min(1, { error: 'expected a reason saying why this kernel error is acceptable' })
      .describe('Why this kernel error is acceptable; shown in every report.'),
  })
  .describe('Stops the kernel-error oracle from failing steps on reports matching `pattern`.');

/** One step: exactly one kind key plus the optional common keys. */
export function stepSchema(kind: AnyStepFormat) {
  return z
    .strictObject({
      [kind.name]: kind.schema,
      name: z.string().min(1).optional().describe('Title of the step in reports; overrides the generated one.'),
      timeout: duration.optional().describe("Deadline for this step; default: what is left of the scenario's timeout."),
      'fault-storm': faultStormSetting.optional(),
    })
    .meta({ title: kind.name, description: kind.description });
}

export function buildScenarioSchema(kinds: ReadonlyArray<AnyStepFormat>) {
  const steps = z
    .array(z.xor(kinds.map(stepSchema) as unknown as [z.ZodObject, z.ZodObject]))
    .min(1)
    .describe(`Steps run in order; each is a mapping with one step kind (${kinds.map((kind) => kind.name).join(', ')}) and optional name and timeout.`);
  return z
    .strictObject({
      name: z
        .string()
        .regex(SCENARIO_NAME_PATTERN, {
          error: (issue) => `expected lowercase letters, digits and '-' (like boot-kvm-el2), got ${describeValue(issue.input)}`,
        })
        .describe('Unique name of the scenario: lowercase letters, digits and -.'),
      description: z.string().optional().describe('What the scenario checks, for people.'),
      profiles,
      'dtb-overlays': dtbOverlays.optional(),
      soc: z
        .enum(SOC_KINDS)
        .default(DEFAULT_SOC)
        .describe("real: Debian's 6.12 kernel runs its own qcom_scm/qcom_q6v5_pas/mdt_loader/smem/smp2p against pilot's EL3 firmware (Iris stays simulated); sim: the simulation module on 6.1. Default: sim."),
      trustzone: z
        .strictObject({
          'bridge-required': z
            .enum(['on', 'off'])
            .describe("Overrides the EL3 firmware's platform policy for this boot (on at kvm-el2, where Linux must make the SHM bridge; off under a hypervisor) before Linux starts."),
        })
        .optional()
        .describe('soc: real only: TrustZone settings sent to the EL3 firmware before Linux boots.'),
      timeout: duration.prefault(DEFAULT_SCENARIO_TIMEOUT).describe('Deadline for the whole scenario on one profile, boot included. Default: 3m.'),
      'kernel-errors': z
        .array(kernelErrorOptOut)
        .default([])
        .describe('Opt-outs from the kernel-error oracle, each with the reason it is acceptable.'),
      tags: z.array(z.string().min(1)).default([]).describe('Free-form labels for selecting scenarios.'),
      'fault-storm': faultStormSetting.optional(),
      kernel: kernelUnderTest.optional(),
      board: z
        .string()
        .min(1)
        .optional()
        .describe('A board file (see boards/), relative to this file: the scenario runs on that lab board, on the profile it claims, instead of QEMU. `pilot run --board` overrides it.'),
      'known-issues': z.array(scenarioKnownIssueSchema).optional().describe('Known failures of this scenario, each with a link and an expiry date.'),
      steps,
    })
    .meta({
      title: 'pilot scenario',
      description: 'A pilot scenario: boots each listed profile and runs the steps against it.',
    });
}

export interface ScenarioKernelDocument {
  'build-dir'?: string;
  image?: string;
  modules?: string;
  debian?: string;
  deb?: string;
  deploy: DeployChoice | Partial<Record<ProfileName, DeployChoice>>;
}

/** What a valid scenario file parses to, before steps are resolved to their kinds. */
export interface ScenarioDocument {
  name: string;
  description?: string;
  profiles: ProfileName[];
  'dtb-overlays'?: string[] | Partial<Record<ProfileName, string[]>>;
  soc: SocKind;
  trustzone?: { 'bridge-required': 'on' | 'off' };
  timeout: number;
  'kernel-errors': KernelErrorOptOut[];
  tags: string[];
  'fault-storm'?: FaultStormSetting;
  kernel?: ScenarioKernelDocument;
  board?: string;
  'known-issues'?: ScenarioKnownIssueEntry[];
  steps: Array<Record<string, unknown>>;
}

/** The JSON Schema editors use, derived from the same definition the loader validates with. */
export function scenarioJsonSchema(kinds: ReadonlyArray<AnyStepFormat>): Record<string, unknown> {
  return z.toJSONSchema(buildScenarioSchema(kinds), { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
