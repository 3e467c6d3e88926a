import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../harness/core/errors.ts';
import { loadScenarios, parseScenario, ScenarioLoadError } from '../../harness/scenario/load.ts';
import { formatProblem } from '../../harness/config/problem.ts';
import { STEP_KINDS } from '../../harness/steps/registry.ts';

const FIXTURES = 'test/fixtures/scenarios';

const KIND_NAMES = STEP_KINDS.map((kind) => kind.name).join(', ');

/** Problems of a scenario text as the user sees them. */
function problemsOf(text: string): string[] {
  const result = parseScenario(text, 'boot.yaml', STEP_KINDS);
  expect(result.scenario).toBeUndefined();
  return result.problems.map(formatProblem);
}

function load(text: string) {
  const result = parseScenario(text, 'boot.yaml', STEP_KINDS);
  expect(result.problems.map(formatProblem)).toEqual([]);
  return result.scenario!;
}

describe('parseScenario: valid files', () => {
  it('accepts the example from the brief and applies defaults', () => {
    const scenario = load(`name: boot-kvm-el2
description: Linux owns EL2 and the SMMU
profiles: [kvm-el2]
timeout: 2m
kernel-errors:
  - { pattern: warning, reason: "known WARNING in virtio on QEMU 7.2" }
steps:
  - expect-el: profile
  - expect-dmesg:
      contains: ["kvm [1]: VHE mode initialized successfully"]
      matches: ["arm-smmu-v3 [0-9a-f]+\\\\.smmuv3: .*"]
      since: boot
  - run: { command: "cat /sys/hypervisor/type", exit: 1 }
    name: no hypervisor node
`);
    expect(scenario.name).toBe('boot-kvm-el2');
    expect(scenario.timeoutMs).toBe(120_000);
    expect(scenario.kernelErrors).toEqual([{ pattern: 'warning', reason: 'known WARNING in virtio on QEMU 7.2' }]);
    expect(scenario.steps.map((step) => [step.index, step.kind, step.line, step.column, step.title])).toEqual([
      [0, 'expect-el', 8, 5, 'expect-el: as the profile says'],
      [1, 'expect-dmesg', 9, 5, 'expect-dmesg: contains "kvm [1]: VHE mode initialized successfully" (+1 more)'],
      [2, 'run', 13, 5, 'no hypervisor node'],
    ]);
    expect(scenario.steps[1]!.spec).toEqual({
      contains: ['kvm [1]: VHE mode initialized successfully'],
      matches: ['arm-smmu-v3 [0-9a-f]+\\.smmuv3: .*'],
      since: 'boot',
    });
    expect(scenario.steps[2]!.spec).toEqual({ command: 'cat /sys/hypervisor/type', exit: 1 });
  });

  it('defaults profiles to all three, timeout to 3m, and lists to empty', () => {
    const scenario = load('name: minimal\nsteps:\n  - run: "true"\n');
    expect(scenario.profiles).toEqual(['kvm-el2', 'xen-el1', 'el1']);
    expect(scenario.timeoutMs).toBe(180_000);
    expect(scenario.kernelErrors).toEqual([]);
    expect(scenario.tags).toEqual([]);
    expect(scenario.dtbOverlays).toEqual({ 'kvm-el2': [], 'xen-el1': [], el1: [] });
    expect(scenario.steps[0]!.spec).toEqual({ command: 'true', exit: 0 });
    expect(scenario.steps[0]!.timeoutMs).toBeUndefined();
  });

  it('parses durations: units, combinations and bare seconds', () => {
    const scenario = load(`name: durations
timeout: 1m30s
steps:
  - run: "true"
    timeout: 500ms
  - run: "true"
    timeout: 45
  - expect-dmesg: { contains: x, within: 2.5 }
`);
    expect(scenario.timeoutMs).toBe(90_000);
    expect(scenario.steps.map((step) => step.timeoutMs)).toEqual([500, 45_000, undefined]);
    expect((scenario.steps[2]!.spec as { within: number }).within).toBe(2500);
  });

  it('spreads a dtb-overlays list over every profile and keeps a per-profile map as written', () => {
    expect(load('name: a\nprofiles: [kvm-el2, el1]\ndtb-overlays: [x, y]\nsteps: [{ run: "true" }]\n').dtbOverlays).toEqual({
      'kvm-el2': ['x', 'y'],
      el1: ['x', 'y'],
    });
    expect(load('name: a\nprofiles: [kvm-el2, el1]\ndtb-overlays: { kvm-el2: [el2] }\nsteps: [{ run: "true" }]\n').dtbOverlays).toEqual({
      'kvm-el2': ['el2'],
      el1: [],
    });
  });

  it('locates any key path for later checks', () => {
    const scenario = load('name: a\ndtb-overlays:\n  kvm-el2: [el2, other]\nsteps: [{ run: "true" }]\n');
    expect(scenario.locate(['dtb-overlays', 'kvm-el2', 1])).toEqual({ line: 3, column: 18 });
  });
});

describe('parseScenario: problems, each at its line and column', () => {
  it('points at an unknown key and suggests the close one', () => {
    expect(
      problemsOf(`name: boot
steps:
  - expect-el: 2
  - run: "true"
  - expect-dmesg:
      since: boot
      contians: ["kvm"]
`),
    ).toEqual(["boot.yaml:7:7: steps[2].expect-dmesg.contians: unknown key; did you mean 'contains'?"]);
  });

  it('lists the allowed keys when nothing is close', () => {
    expect(problemsOf('name: a\nsteps: [{ run: "true" }]\nfrobnicate: 1\n')).toEqual([
      'boot.yaml:3:1: frobnicate: unknown key; expected one of: name, description, profiles, dtb-overlays, soc, trustzone, timeout, kernel-errors, tags, fault-storm, kernel, board, known-issues, steps',
    ]);
  });

  it('names the step kinds for an unknown one and suggests the closest', () => {
    expect(problemsOf('name: a\nsteps:\n  - expect-dmsg: { contains: x }\n')).toEqual([
      `boot.yaml:3:5: steps[0].expect-dmsg: unknown step kind 'expect-dmsg'; did you mean 'expect-dmesg'? (kinds: ${KIND_NAMES})`,
    ]);
  });

  it('rejects a step with two kinds, none, or not a mapping at all', () => {
    expect(
      problemsOf(`name: a
steps:
  - run: "true"
    expect-el: 1
  - name: just a name
  - expect-el
`),
    ).toEqual([
      "boot.yaml:4:5: steps[0].expect-el: a step has exactly one kind, got 'run' and 'expect-el'",
      `boot.yaml:5:5: steps[1]: missing a step kind (kinds: ${KIND_NAMES})`,
      `boot.yaml:6:5: steps[2]: expected a mapping with one step kind (kinds: ${KIND_NAMES}), got "expect-el"`,
    ]);
  });

  it('says what a wrong value should have been and what it was', () => {
    expect(
      problemsOf(`name: Boot_KVM
profiles: [kvm-el2, kvm-el3]
timeout: soon
steps:
  - expect-el: 3
  - run: { command: ls, exit: 300, stdout: { matches: 5 } }
    timeout: -1
`),
    ).toEqual([
      `boot.yaml:1:7: name: expected lowercase letters, digits and '-' (like boot-kvm-el2), got "Boot_KVM"`,
      `boot.yaml:2:21: profiles[1]: expected one of kvm-el2, xen-el1, el1, got "kvm-el3"; did you mean 'kvm-el2'?`,
      'boot.yaml:3:10: timeout: expected a duration like 30s, 3m or 500ms, got "soon"',
      'boot.yaml:5:16: steps[0].expect-el: expected one of 1, 2, profile, got 3',
      'boot.yaml:6:31: steps[1].run.exit: expected at most 255, got 300',
      'boot.yaml:6:55: steps[1].run.stdout.matches: expected text or a list, got 5',
      'boot.yaml:7:14: steps[1].timeout: expected a duration like 30s, 3m or 500ms, got -1',
    ]);
  });

  it('reports a bad regex at load time, where it was written', () => {
    expect(
      problemsOf(`name: a
steps:
  - expect-dmesg:
      matches:
        - 'fine'
        - 'arm-smmu-v3 [0-9a-f+'
`),
    ).toEqual([
      'boot.yaml:6:11: steps[0].expect-dmesg.matches[1]: expected a valid regular expression, got "arm-smmu-v3 [0-9a-f+": Invalid regular expression: /arm-smmu-v3 [0-9a-f+/: Unterminated character class',
    ]);
  });

  it('points at the parent key when a required key is missing', () => {
    expect(problemsOf('name: a\nsteps:\n  - run: { exit: 1 }\n')).toEqual([
      'boot.yaml:3:5: steps[0].run.command: required key is missing; expected text',
    ]);
    expect(problemsOf('steps:\n  - run: "true"\n')).toEqual(['boot.yaml:1:1: name: required key is missing; expected text']);
  });

  it('does not also complain about the key a typo replaced', () => {
    expect(problemsOf('name: a\nsteps:\n  - run: { comand: ls }\n')).toEqual([
      "boot.yaml:3:12: steps[0].run.comand: unknown key; did you mean 'command'?",
    ]);
  });

  it('checks the mapping-level rules of a step', () => {
    expect(
      problemsOf(`name: a
steps:
  - expect-dmesg: { since: boot }
  - expect-dmesg: { absent: x, within: 5s }
  - expect-dmesg: { count: { pattern: x, equals: 1, min: 1 } }
`),
    ).toEqual([
      'boot.yaml:3:19: steps[0].expect-dmesg: expected at least one of contains, absent, matches, count, in-order',
      'boot.yaml:4:40: steps[1].expect-dmesg.within: within waits for contains, matches or in-order lines, and this step has none',
      'boot.yaml:5:28: steps[2].expect-dmesg.count: equals cannot be combined with min or max',
    ]);
  });

  it('wants a reason for every kernel-error opt-out and a real pattern name', () => {
    expect(
      problemsOf(`name: a
kernel-errors:
  - { pattern: warnign, reason: typo }
  - { pattern: bug }
  - { pattern: "(unclosed", reason: "  " }
steps: [{ run: "true" }]
`),
    ).toEqual([
      `boot.yaml:3:16: kernel-errors[0].pattern: unknown pattern name "warnign"; did you mean 'warning'? (names: panic, kasan, oops, unable-to-handle, bug, warning, call-trace; anything else is a regex)`,
      'boot.yaml:4:5: kernel-errors[1].reason: required: say why this kernel error is acceptable',
      'boot.yaml:5:16: kernel-errors[2].pattern: expected a valid regular expression, got "(unclosed": Invalid regular expression: /(unclosed/: Unterminated group',
      'boot.yaml:5:37: kernel-errors[2].reason: expected a reason saying why this kernel error is acceptable',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problemsOf('name: a\nsteps:\n  - run: [ls,\n')).toEqual([
      expect.stringMatching(/^boot\.yaml:4:1: YAML: /),
    ]);
    expect(problemsOf('name: a\nname: b\nsteps: []\n')).toEqual(['boot.yaml:2:1: YAML: Map keys must be unique']);
  });

  it('reports an empty file and a file that is not a mapping', () => {
    expect(problemsOf('# nothing yet\n')).toEqual(['boot.yaml:1:1: the file is empty; expected a mapping with name and steps']);
    expect(problemsOf('- run: "true"\n')).toEqual(['boot.yaml:1:1: expected a mapping, got a list']);
  });

  it('reports every problem of a file at once, in file order', () => {
    const problems = problemsOf(`name: x
timeout: later
steps:
  - expect-el: 3
  - run: { command: ls, exitt: 0 }
`);
    expect(problems).toEqual([
      'boot.yaml:2:10: timeout: expected a duration like 30s, 3m or 500ms, got "later"',
      'boot.yaml:4:16: steps[0].expect-el: expected one of 1, 2, profile, got 3',
      "boot.yaml:5:25: steps[1].run.exitt: unknown key; did you mean 'exit'?",
    ]);
  });
});

describe('loadScenarios', () => {
  it('recurses into directories, taking *.yaml and *.yml in sorted order', async () => {
    const scenarios = await loadScenarios([`${FIXTURES}/tree`], STEP_KINDS);
    expect(scenarios.map((scenario) => [scenario.name, scenario.file])).toEqual([
      ['first', `${FIXTURES}/tree/a-first.yml`],
      ['second', `${FIXTURES}/tree/b-second.yaml`],
      ['third', `${FIXTURES}/tree/nested/c-third.yaml`],
    ]);
  });

  it('loads a file named twice only once', async () => {
    const scenarios = await loadScenarios([`${FIXTURES}/tree`, `${FIXTURES}/tree/a-first.yml`], STEP_KINDS);
    expect(scenarios.map((scenario) => scenario.name)).toEqual(['first', 'second', 'third']);
  });

  it('rejects a name used by two files, naming both', async () => {
    const error = await loadScenarios([`${FIXTURES}/duplicate`], STEP_KINDS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScenarioLoadError);
    expect((error as ScenarioLoadError).problems.map(formatProblem)).toEqual([
      `${FIXTURES}/duplicate/two.yaml:2:7: name: scenario name 'same-name' is used by both ${FIXTURES}/duplicate/one.yaml:1:7 and ${FIXTURES}/duplicate/two.yaml:2:7`,
    ]);
  });

  it('throws one InputError holding every problem of every file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pilot-load-'));
    await writeFile(join(dir, 'a.yaml'), 'name: a\nsteps:\n  - run: { comand: ls }\n');
    await writeFile(join(dir, 'b.yaml'), 'name: b\ntimeout: soon\nsteps: [{ run: "true" }]\n');
    const error = (await loadScenarios([dir], STEP_KINDS).catch((caught: unknown) => caught)) as ScenarioLoadError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('E_SCENARIO_INVALID');
    expect(error.message.split('\n')).toEqual([
      'scenario files have 2 problems:',
      `${dir}/a.yaml:3:12: steps[0].run.comand: unknown key; did you mean 'command'?`,
      `${dir}/b.yaml:2:10: timeout: expected a duration like 30s, 3m or 500ms, got "soon"`,
    ]);
    expect(error.problems.map((problem) => [problem.file, problem.line, problem.column, problem.path])).toEqual([
      [`${dir}/a.yaml`, 3, 12, 'steps[0].run.comand'],
      [`${dir}/b.yaml`, 2, 10, 'timeout'],
    ]);
  });

  it('names paths that do not exist, and complains when there is nothing to load', async () => {
    await expect(loadScenarios(['nope/missing.yaml', `${FIXTURES}/tree`], STEP_KINDS)).rejects.toMatchObject({
      code: 'E_SCENARIO_NOT_FOUND',
      message: 'no such scenario file or directory: nope/missing.yaml',
    });
    const empty = await mkdtemp(join(tmpdir(), 'pilot-empty-'));
    await expect(loadScenarios([empty], STEP_KINDS)).rejects.toMatchObject({ code: 'E_SCENARIO_NONE' });
  });

  it('loads the valid fixtures, every key of the format included', async () => {
    const [everyKey, example] = await loadScenarios([`${FIXTURES}/every-key.yaml`, `${FIXTURES}/brief-example.yaml`], STEP_KINDS);
    expect(example!.name).toBe('boot-kvm-el2');
    expect(everyKey).toMatchObject({
      name: 'every-key',
      profiles: ['kvm-el2', 'el1'],
      dtbOverlays: { 'kvm-el2': ['el2-iommus'], el1: ['el2-iommus'] },
      timeoutMs: 90_000,
      tags: ['smoke', 'boot'],
    });
    expect(everyKey!.kernelErrors.map((optOut) => optOut.reason)).toEqual(['known virtio WARNING on QEMU 7.2', 'the same, by regex']);
    expect(everyKey!.steps.map((step) => step.spec)).toEqual([
      2,
      {
        contains: ['remote processor adsp is now up'],
        absent: ['arm-smmu-v3 .* event 0x10', '/start timed out/i'],
        matches: ['Booting fw image qcom/\\w+/adsp\\.mbn'],
        count: { pattern: 'powering up', min: 1, max: 2 },
        'in-order': ['powering up adsp', 'remote processor adsp is now up'],
        within: 90_000,
        since: 'previous',
      },
      {
        command: 'cat /sys/class/remoteproc/remoteproc0/state',
        exit: 0,
        stdout: { contains: ['running'], matches: ['^running$'], absent: ['offline'] },
        stderr: { absent: ['error'] },
        timeout: 500,
      },
    ]);
    expect(everyKey!.steps[0]!.timeoutMs).toBe(10_000);
  });

  it('loads the scenarios shipped in scenarios/', async () => {
    const scenarios = await loadScenarios(['scenarios'], STEP_KINDS);
    expect(scenarios.length).toBeGreaterThan(0);
    for (const scenario of scenarios) expect(scenario.steps.length).toBeGreaterThan(0);
  });
});

describe('parseScenario: soc', () => {
  const steps = 'steps:\n  - expect-el: 1\n';
  it('defaults to the simulation', () => {
    expect(load(`name: a\nprofiles: [el1]\n${steps}`).soc).toBe('sim');
  });

  it('accepts soc: real on every profile, xen-el1 included (Xen built from source forwards dom0\'s SiP calls)', () => {
    expect(load(`name: a\nsoc: real\nprofiles: [kvm-el2, el1, xen-el1]\n${steps}`).soc).toBe('real');
  });

  it('refuses an unknown soc', () => {
    expect(problemsOf(`name: a\nsoc: hardware\nprofiles: [el1]\n${steps}`)[0]).toMatch(/^boot\.yaml:2:6: soc: /);
  });

  it('turns trustzone: into the firmware command sent before Linux boots, and refuses it on the simulation at its key', () => {
    expect(load(`name: a\nsoc: real\ntrustzone: { bridge-required: off }\nprofiles: [kvm-el2]\n${steps}`).trustZoneCommands).toEqual(['rule bridge-required off']);
    expect(load(`name: a\nsoc: real\nprofiles: [kvm-el2]\n${steps}`).trustZoneCommands).toBeUndefined();
    expect(problemsOf(`name: a\nprofiles: [el1]\ntrustzone: { bridge-required: on }\n${steps}`)[0]).toMatch(/^boot\.yaml:3:12: trustzone: trustzone settings need soc: real/);
    expect(problemsOf(`name: a\nsoc: real\nprofiles: [el1]\ntrustzone: { bridge-required: maybe }\n${steps}`)[0]).toMatch(/^boot\.yaml:4:\d+: trustzone\.bridge-required: /);
  });
});
