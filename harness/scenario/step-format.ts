// What the scenario format needs of a step kind: its key, its body's schema and its title. Step kinds (steps/) add what they do.
import type { z } from 'zod';

export interface StepFormat<Spec = unknown> {
  /** The YAML key, e.g. 'expect-dmesg'. */
  readonly name: string;
  /** One sentence for `pilot schema` and the README. */
  readonly description: string;
  /** Validates the step's body (the value under its key); its output (durations in ms, lists normalised) is what the kind runs with. */
  readonly schema: z.ZodType<Spec>;
  /** Short title for progress lines and JUnit test case names. */
  title(spec: Spec): string;
}

/** Any step's format; Spec is both read and written by a kind, so a list of formats can only be typed loosely. */
export type AnyStepFormat = StepFormat<any>;
