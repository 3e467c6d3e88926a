// expect-tz and remote-fault as a scenario author writes them: loaded with titles, and mistakes reported at file:line:col.
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../harness/config/problem.ts';
import { parseScenario } from '../../harness/scenario/load.ts';
import { STEP_KINDS } from '../../harness/steps/registry.ts';

const SCENARIO = `name: real-pas
steps:
  - expect-tz: { pas: adsp, sequence: [init_image, mem_setup, auth_and_reset], since: boot, within: 30s }
  - remote-fault: { processor: cdsp, fault: refuse-auth }
  - expect-tz: { refused: auth_and_reset, pas: cdsp, reason: fault refuse-auth, within: 10s }
  - remote-fault: { processor: cdsp, fault: refuse-auth, clear: true }
  - expect-tz: { bridge: created, absent: "tz: panic" }
  - tz-rule: { bridge-required: on }
`;

describe('TrustZone steps in a scenario file', () => {
  it('load with their titles', () => {
    const { scenario, problems } = parseScenario(SCENARIO, 'real-pas.yaml', STEP_KINDS);
    expect(problems.map(formatProblem)).toEqual([]);
    expect(scenario!.steps.map((step) => [step.line, step.title])).toEqual([
      [3, 'expect-tz: adsp init_image → mem_setup → auth_and_reset'],
      [4, 'remote-fault: cdsp refuse-auth on'],
      [5, 'expect-tz: auth_and_reset refused for cdsp'],
      [6, 'remote-fault: cdsp refuse-auth off'],
      [7, 'expect-tz: bridge created (+1 more)'],
      [8, 'tz-rule: bridge-required on'],
    ]);
    expect(scenario!.steps[0]!.spec).toEqual({ pas: 'adsp', sequence: ['init_image', 'mem_setup', 'auth_and_reset'], since: 'boot', within: 30_000 });
  });

  it('report mistakes at file:line:col', () => {
    const text = `name: real-pas
steps:
  - expect-tz:
      pas: adsp
      sequence: [init_image, auth-and-reset]
  - remote-fault: { processor: adsp, fault: fatal, clear: true }
`;
    const { scenario, problems } = parseScenario(text, 'real-pas.yaml', STEP_KINDS);
    expect(scenario).toBeUndefined();
    const shown = problems.map(formatProblem);
    expect(shown).toHaveLength(2);
    expect(shown[0]).toMatch(/^real-pas\.yaml:5:\d+: .*sequence/);
    expect(shown[1]).toMatch(/^real-pas\.yaml:6:\d+: .*clear goes with no-stop-ack, refuse-auth, corrupt-boot-dma/);
  });
});
