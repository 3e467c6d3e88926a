// Which runs go to a board: a scenario's board: sends that scenario (on the board's profile only), --board every one.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../harness/core/errors.ts';
import { parseBoardFile } from '../../harness/machine/board/board-file.ts';
import { planBoards } from '../../harness/runner/scenario-boards.ts';
import { parseScenario } from '../../harness/scenario/load.ts';
import { formatProblem } from '../../harness/config/problem.ts';
import { expandMatrix } from '../../harness/scenario/matrix.ts';
import { rejectionOf } from '../fakes/rejection.ts';
import { STEP_KINDS } from '../../harness/steps/registry.ts';

let dir: string;
const KEY_ENV = 'PILOT_SCENARIO_BOARDS_TEST_KEY';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pilot-scenario-boards-'));
  process.env[KEY_ENV] = ssh2.utils.generateKeyPairSync('ed25519').private;
  for (const [name, profile] of [['ride', 'kvm-el2'], ['ride-xen', 'xen-el1']]) {
    await writeFile(join(dir, `${name}.yaml`), [`name: ${name}`, 'host: 127.0.0.1', 'user: root', `key-env: ${KEY_ENV}`, `profile: ${profile}`, ''].join('\n'));
  }
});

afterAll(async () => {
  delete process.env[KEY_ENV];
  await rm(dir, { recursive: true, force: true });
});

function scenario(name: string, extra: string) {
  const result = parseScenario(`name: ${name}\nprofiles: [kvm-el2, el1]\n${extra}steps: [{ run: "true" }]\n`, join(dir, `${name}.yaml`), STEP_KINDS);
  expect(result.problems.map(formatProblem)).toEqual([]);
  return result.scenario!;
}

describe('planBoards', () => {
  it("runs a scenario with board: on that board's profile only, and the others on QEMU", async () => {
    const onBoard = scenario('on-board', 'board: ride.yaml\n');
    const plain = scenario('plain', '');
    const plan = await planBoards([onBoard, plain], expandMatrix([onBoard, plain]), undefined);
    expect(plan.matrix.map((run) => run.id)).toEqual(['on-board@kvm-el2', 'plain@kvm-el2', 'plain@el1']);
    expect(plan.byScenario.get('on-board')?.name).toBe('ride');
    expect(plan.byScenario.has('plain')).toBe(false);
  });

  it('sends every scenario to the --board board, which replaces a scenario\'s own', async () => {
    const onBoard = scenario('on-board', 'board: ride-xen.yaml\n');
    const plain = scenario('plain', '');
    const override = await parseBoardFile(`name: lab\nhost: 127.0.0.1\nuser: root\nkey-env: ${KEY_ENV}\nprofile: kvm-el2\n`, join(dir, 'lab.yaml'));
    const plan = await planBoards([onBoard, plain], expandMatrix([onBoard, plain], ['kvm-el2']), override);
    expect(plan.matrix.map((run) => run.id)).toEqual(['on-board@kvm-el2', 'plain@kvm-el2']);
    expect([...plan.byScenario.values()].map((board) => board.name)).toEqual(['lab', 'lab']);
  });

  it("refuses a board whose profile the scenario does not list, at the scenario's board: line", async () => {
    const wrong = scenario('wrong', 'board: ride-xen.yaml\n');
    const error = await rejectionOf(planBoards([wrong], expandMatrix([wrong]), undefined), InputError);
    expect(error.code).toBe('E_BOARD_PROFILE');
    expect(error.message).toBe(`${join(dir, 'wrong.yaml')}:3:8: board: ride-xen claims xen-el1, which the scenario's profiles (kvm-el2, el1) do not list`);
  });
});
