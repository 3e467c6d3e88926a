// LAVA test case names: the dispatcher takes one shell word and the server keeps [-_a-zA-Z0-9.] (the character set
// lava_common's schemas give test definition names), so other runs of characters become one '_'.
import type { LoadedScenario } from '../../scenario/load.ts';

export const LAVA_NAME_PATTERN = /^[-_a-zA-Z0-9.]+$/;

export function lavaTestCaseName(title: string): string {
  return title.replace(/[^-_a-zA-Z0-9.]+/g, '_').replace(/^_+|_+$/g, '') || 'step';
}

/** One name per step, in order; a name already taken gets `_2`, `_3`… so results map back to exactly one step. */
export function lavaTestCaseNames(scenario: Pick<LoadedScenario, 'steps'>): string[] {
  const seen = new Map<string, number>();
  return scenario.steps.map((step) => {
    const base = lavaTestCaseName(step.title);
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}_${count}`;
  });
}
