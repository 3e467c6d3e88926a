import { describe, expect, it } from 'vitest';
import { overlayProblems } from '../../harness/scenario/check-overlays.ts';
import { parseScenario } from '../../harness/scenario/load.ts';
import { STEP_KINDS } from '../../harness/steps/registry.ts';

function scenario(text: string) {
  const { scenario: loaded, problems } = parseScenario(text, 'x.yaml', STEP_KINDS);
  expect(problems).toEqual([]);
  return loaded!;
}

const steps = 'steps:\n  - run: { command: "true" }\n';

describe('overlayProblems', () => {
  it('accepts known overlays in both forms', () => {
    const list = scenario(`name: a\ndtb-overlays: [el2]\n${steps}`);
    const map = scenario(`name: b\ndtb-overlays:\n  kvm-el2: [el2]\n  el1: []\n${steps}`);
    expect(overlayProblems([list, map], ['el2', 'iris-tampered'])).toEqual([]);
  });

  it('points at an unknown name in the per-profile form, with a suggestion', () => {
    const map = scenario(`name: b\ndtb-overlays:\n  kvm-el2: [el2, iris-tamperd]\n${steps}`);
    const [problem, ...rest] = overlayProblems([map], ['el2', 'iris-tampered']);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ file: 'x.yaml', line: 3, column: 18, path: 'dtb-overlays.kvm-el2[1]' });
    expect(problem!.message).toMatch(/unknown overlay 'iris-tamperd'.*did you mean 'iris-tampered'/);
  });

  it('reports a name in the shared list once, not once per profile', () => {
    const list = scenario(`name: a\ndtb-overlays: [el3]\n${steps}`);
    const problems = overlayProblems([list], ['el2']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 2, column: 16, path: 'dtb-overlays[0]' });
  });
});
