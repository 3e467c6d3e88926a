import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROFILES } from '../../harness/model/profile.ts';
import type { StepResult } from '../../harness/model/results.ts';
import { runSteps } from '../../harness/runner/run-steps.ts';
import { loadScenarios, parseScenario, type LoadedScenario } from '../../harness/scenario/load.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';
import { FakeSoc, faultDump } from '../fakes/fake-soc.ts';
import { realBootLog } from '../fakes/kmsg.ts';
import { STEP_KINDS } from '../../harness/steps/registry.ts';

const SOC_FIXTURES = 'test/fixtures/scenarios/soc';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A kvm-el2 guest with adsp (remoteproc1) offline and cdsp (remoteproc0) running, and an Iris decoder. */
function world(boot: string[] = []) {
  const guest = new FakeGuest();
  guest.kernelLog.replay(realBootLog('kvm-el2'));
  guest.kernelLog.log(...boot);
  const soc = new FakeSoc(guest);
  soc.addProcessor({ device: 'remoteproc0', name: 'cdsp', state: 'running' });
  soc.addProcessor({ device: 'remoteproc1', name: 'adsp', state: 'offline' });
  soc.addVideoNode({ device: 'video0', name: 'qcom-iris-decoder' });
  cleanups.push(() => guest.close(), () => soc.dispose());
  return { guest, soc };
}

function scenarioOf(yaml: string): LoadedScenario {
  const parsed = parseScenario(`name: storm-test\nprofiles: [kvm-el2]\n${yaml}`, 'storm-test.yaml', STEP_KINDS);
  expect(parsed.problems).toEqual([]);
  return parsed.scenario!;
}

async function run(scenario: LoadedScenario, guest: FakeGuest, options: { deadlineMs?: number } = {}) {
  const events: string[] = [];
  const steps = await runSteps({
    scenario,
    profile: PROFILES[scenario.profiles[0]!],
    guest,
    signal: new AbortController().signal,
    deadline: Date.now() + (options.deadlineMs ?? 30_000),
    machineDied: guest.machine.died,
    artifactsDir: await mkdtemp(join(tmpdir(), 'pilot-storm-')),
    hooks: { onStepEnd: (step) => events.push(`end ${step.index} ${step.status}`) },
  });
  return { steps, events };
}

const statuses = (steps: StepResult[]) => steps.map((step) => step.status);

describe('fault-storm rule in the step engine', () => {
  it('fails a flooded step at once with the count and the first lines, long before its timeout, and stops there as for any failure', async () => {
    const { guest, soc } = world();
    // the DSP never answers and its DMA faults every 10 ms; the core would give up only after 15 s
    soc.processor('adsp').boot = { kind: 'timeout', afterMs: 15_000, faults: 200, everyMs: 10 };
    const scenario = scenarioOf(`steps:
  - expect-rproc: { cdsp: running }
  - rproc: { name: adsp, do: start }
    timeout: 20s
  - expect-rproc: { adsp: running, within: 30s }
`);
    const started = Date.now();
    const { steps, events } = await run(scenario, guest);

    expect(statuses(steps)).toEqual(['pass', 'fail', 'skip']);
    expect(events).toEqual(['end 0 pass', 'end 1 fail', 'end 2 skip']);
    const storm = steps[1]!;
    expect(storm.durationMs).toBeLessThan(3_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(storm.failure!.code).toBe('F_FAULT_STORM');
    expect(storm.failure!.message).toMatch(
      /^SMMU fault storm during step 2: 21 faults matching \/arm-smmu-v3 \.\*: event 0x\[0-9a-f\]\+ received\/, more than the fault-storm limit of 20; stopped after \d+ ms$/,
    );
    expect(storm.failure!.evidence.slice(0, 3)).toEqual([
      'first fault lines:',
      expect.stringMatching(/\] arm-smmu-v3 9050000\.smmuv3: event 0x10 received:$/),
      expect.stringMatching(/\] arm-smmu-v3 9050000\.smmuv3: \t0x0000008000000010$/),
    ]);
    expect(storm.failure!.hint).toMatch(/fault-storm: off/);
    expect(steps[0]!.failure).toBeUndefined();
    expect(guest.kernelLog.listenerCount).toBe(0);
  });

  it('a step that expects the faults says fault-storm: off, asserts on them, and the steps after it run as usual', async () => {
    const yaml = (stepSetting: string) => `steps:
  - rproc: { name: adsp, do: start, expect-errno: ETIMEDOUT }
${stepSetting}
  - expect-dmesg:
      since: previous
      count: { pattern: "/arm-smmu-v3 .*: event 0x10 received/", min: 40 }
      in-order: ["/event 0x10 received/", "start timed out"]
  - expect-rproc: { adsp: offline, cdsp: running }
`;
    const expecting = world();
    expecting.soc.processor('adsp').boot = { kind: 'timeout', afterMs: 600, faults: 40, everyMs: 5 };
    const { steps } = await run(scenarioOf(yaml('    fault-storm: off')), expecting.guest);
    expect(statuses(steps)).toEqual(['pass', 'pass', 'pass']);
    expect(steps[0]!.assertions).toContain('start on adsp (remoteproc1) was refused with ETIMEDOUT (Connection timed out), as expected');
    expect(steps[1]!.assertions).toContain('dmesg count of "/arm-smmu-v3 .*: event 0x10 received/" since the previous step began within bounds');

    // the same scenario without the opt-out is cut short by the rule
    const plain = world();
    plain.soc.processor('adsp').boot = { kind: 'timeout', afterMs: 600, faults: 40, everyMs: 5 };
    const { steps: cut } = await run(scenarioOf(yaml('')), plain.guest);
    expect(statuses(cut)).toEqual(['fail', 'skip', 'skip']);
    expect(cut[0]!.failure!.code).toBe('F_FAULT_STORM');
  });

  it('scenario-level off lets a flood run through every step; a step may switch the rule back on with its own limit', async () => {
    const { guest, soc } = world();
    soc.processor('adsp').boot = { kind: 'timeout', afterMs: 100, faults: 150, everyMs: 4 };
    const scenario = scenarioOf(`fault-storm: off
steps:
  - rproc: { name: adsp, do: start, expect-errno: ETIMEDOUT }
  - expect-rproc: { cdsp: running }
  - expect-rproc: { adsp: running, within: 10s }
    fault-storm: { max: 5 }
`);
    const { steps } = await run(scenario, guest);
    expect(statuses(steps)).toEqual(['pass', 'pass', 'fail']);
    expect(steps[2]!.failure!.code).toBe('F_FAULT_STORM');
    expect(steps[2]!.durationMs).toBeLessThan(2_000);
    expect(steps[2]!.failure!.message).toMatch(/^SMMU fault storm during step 3: 6 faults .*more than the fault-storm limit of 5/);
  });

  it('a raised limit lets a step through that the default would stop', async () => {
    const raised = world();
    raised.soc.processor('adsp').boot = { kind: 'timeout', afterMs: 400, faults: 40, everyMs: 5 };
    const { steps } = await run(
      scenarioOf(`fault-storm: { max: 100 }
steps:
  - rproc: { name: adsp, do: start, expect-errno: ETIMEDOUT }
`),
      raised.guest,
    );
    expect(statuses(steps)).toEqual(['pass']);

    const tight = world();
    tight.soc.processor('adsp').boot = { kind: 'timeout', afterMs: 400, faults: 40, everyMs: 5 };
    const { steps: stopped } = await run(
      scenarioOf(`fault-storm: { max: 100 }
steps:
  - rproc: { name: adsp, do: start, expect-errno: ETIMEDOUT }
    fault-storm: { max: 30 }
`),
      tight.guest,
    );
    expect(stopped[0]!.failure!.message).toMatch(/: 31 faults .*more than the fault-storm limit of 30; stopped after/);
  });

  it('counts faults that reach the harness only with the sync after the step, and the rate limit’s suppressed ones', async () => {
    const { guest } = world();
    guest.onExec('sleep 0', (_command, _options, fake) => {
      fake.kernelLog.logUnreceived(...faultDump(0), ...faultDump(1), 'arm_smmu_evtq_thread: 40 callbacks suppressed');
      return {};
    });
    const { steps } = await run(scenarioOf('steps:\n  - run: sleep 0\n  - run: sleep 0\n'), guest);
    expect(statuses(steps)).toEqual(['fail', 'skip']);
    expect(steps[0]!.failure!.message).toBe(
      'SMMU fault storm during step 1: 42 faults (2 printed, 40 more suppressed by the kernel\'s rate limit) matching /arm-smmu-v3 .*: event 0x[0-9a-f]+ received/, more than the fault-storm limit of 20',
    );
  });

  it('a storm explains a step that failed on its own, which it quotes', async () => {
    const { guest } = world();
    guest.onExec('flood', (_command, _options, fake) => {
      for (let i = 0; i < 25; i++) fake.kernelLog.logUnreceived(...faultDump(i));
      return { code: 1 };
    });
    const { steps } = await run(scenarioOf('steps:\n  - run: flood\n'), guest);
    expect(steps[0]!.failure!.code).toBe('F_FAULT_STORM');
    expect(steps[0]!.failure!.evidence.at(-1)).toBe("the step itself ended with F_RUN_EXIT: 'flood' exited with 1, expected 0");
  });
});

describe('the soc example scenarios against the fake SoC', () => {
  async function load(file: string): Promise<LoadedScenario> {
    const [scenario] = await loadScenarios([`${SOC_FIXTURES}/${file}`], STEP_KINDS);
    return scenario!;
  }

  it('bringup: processors by name, Iris booting on the first open', async () => {
    const { guest, soc } = world();
    soc.setStateAfter('adsp', 200, 'running', 'remoteproc remoteproc1: remote processor adsp is now up');
    const { steps } = await run(await load('bringup.yaml'), guest);
    expect(steps.map((step) => [step.title, step.status, step.failure?.message])).toEqual([
      ['expect-rproc: adsp running; cdsp running within 30.0 s', 'pass', undefined],
      ['expect-rproc: adsp firmware qcom/sa8775p/adsp.mbn, 0 crashes, recovery enabled', 'pass', undefined],
      ['iris: open decoder, expect booted', 'pass', undefined],
      ['second open finds the firmware up', 'pass', undefined],
      expect.arrayContaining(['pass']),
    ]);
    expect(steps[3]!.assertions).toContainEqual(expect.stringMatching(/^Iris firmware booted by an earlier open: /));
  });

  it('crash-recovery: crash, recovery, and the errnos of refused writes', async () => {
    const { guest, soc } = world();
    soc.processor('adsp').state = 'running';
    soc.crashHandlingMs = 50;
    soc.recoveryMs = 100;
    const { steps } = await run(await load('crash-recovery.yaml'), guest);
    expect(steps.filter((step) => step.status !== 'pass').map((step) => [step.title, step.failure])).toEqual([]);
    expect(steps).toHaveLength(14);
  });

  it('missing-mapping: passes when the faults and the timeout are there, and fails when the mapping works', async () => {
    const faultsAtBoot = Array.from({ length: 10 }, (_, i) => faultDump(i)).flat();
    const broken = world([...faultsAtBoot, 'qcom-pas-sim 0000:00:10.0: start timed out', 'qcom-pas-sim 0000:00:11.0: start timed out']);
    broken.soc.processor('cdsp').state = 'offline';
    broken.soc.processor('adsp').boot = { kind: 'timeout', afterMs: 300, faults: 30, everyMs: 5 };
    const { steps } = await run(await load('missing-mapping.yaml'), broken.guest);
    expect(statuses(steps)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);

    // with a working mapping the DSPs boot and no fault comes; a short wait keeps the test quick
    const fixed = world(['remoteproc remoteproc1: remote processor adsp is now up']);
    const text = (await readFile(`${SOC_FIXTURES}/missing-mapping.yaml`, 'utf8')).replace('within: 60s', 'within: 300ms');
    const { steps: caught } = await run(parseScenario(text, 'missing-mapping.yaml', STEP_KINDS).scenario!, fixed.guest);
    expect(statuses(caught)).toEqual(['fail', 'skip', 'skip', 'skip', 'skip']);
    expect(caught[0]!.failure!.code).toBe('F_DMESG_ORDER');
  });

  it('iris-tampered: open fails with the upstream wording', async () => {
    const { guest, soc } = world();
    soc.videos[0]!.behaviour = { kind: 'auth-fails', error: -22 };
    const { steps } = await run(await load('iris-tampered.yaml'), guest);
    expect(statuses(steps)).toEqual(['pass', 'pass']);
  });
});
