// Known-issues entries from the shared file and from scenarios: validated with file:line:col like scenario files.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../harness/core/errors.ts';
import { KnownIssuesLoadError, knownIssuesOfScenarios, loadKnownIssues, parseKnownIssues } from '../../harness/known-issues/load.ts';
import { isCalendarDate } from '../../harness/config/known-issue-schema.ts';
import { parseScenario } from '../../harness/scenario/load.ts';
import { formatProblem } from '../../harness/config/problem.ts';
import { STEP_KINDS } from '../../harness/steps/registry.ts';

function problemsOf(text: string): string[] {
  try {
    parseKnownIssues(text, 'known-issues.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(KnownIssuesLoadError);
    return (error as KnownIssuesLoadError).problems.map(formatProblem);
  }
  throw new Error('expected the file to be refused');
}

describe('the shared known-issues file', () => {
  it('reads entries with where each was written', () => {
    const issues = parseKnownIssues(
      `known-issues:
  - scenario: soc-missing-mapping
    profiles: kvm-el2
    dmesg: 'arm-smmu-v3 .*: event 0x10 received'
    link: https://bugs.example.org/4711
    expires: 2026-12-31
    reason: mapping patch not merged yet
  - scenario: boot-xen-el1
    dmesg: 'xen: hang'
    link: http://lists.example.org/msg/1
    expires: 2027-01-15
`,
      'known-issues.yaml',
    );
    expect(issues).toEqual([
      {
        scenario: 'soc-missing-mapping',
        profiles: ['kvm-el2'],
        dmesg: 'arm-smmu-v3 .*: event 0x10 received',
        link: 'https://bugs.example.org/4711',
        expires: '2026-12-31',
        reason: 'mapping patch not merged yet',
        source: 'known-issues.yaml:2:5',
      },
      {
        scenario: 'boot-xen-el1',
        profiles: undefined,
        dmesg: 'xen: hang',
        link: 'http://lists.example.org/msg/1',
        expires: '2027-01-15',
        reason: undefined,
        source: 'known-issues.yaml:8:5',
      },
    ]);
  });

  it('accepts an empty file and an empty list', () => {
    expect(parseKnownIssues('', 'k.yaml')).toEqual([]);
    expect(parseKnownIssues('known-issues: []\n', 'k.yaml')).toEqual([]);
  });

  it('reports every problem at once, at its line and column', () => {
    const problems = problemsOf(`known-issues:
  - scenario: boot-el1
    profile: el1
    dmesg: 'unclosed ('
    link: not a link
    expires: 2026-02-30
  - dmesg: x
    link: https://example.org/1
    expires: 31.12.2026
`);
    expect(problems).toEqual([
      "known-issues.yaml:3:5: known-issues[0].profile: unknown key; did you mean 'profiles'?",
      expect.stringMatching(/^known-issues\.yaml:4:12: known-issues\[0\]\.dmesg: expected a valid regular expression, got "unclosed \("/),
      'known-issues.yaml:5:11: known-issues[0].link: expected an http(s) link to the bug report, got "not a link"',
      'known-issues.yaml:6:14: known-issues[0].expires: expected a date written YYYY-MM-DD, got "2026-02-30"',
      'known-issues.yaml:7:5: known-issues[1].scenario: required key is missing; expected text',
      'known-issues.yaml:9:14: known-issues[1].expires: expected a date written YYYY-MM-DD, got "31.12.2026"',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problemsOf('known-issues:\n  - scenario: [oops\n')[0]).toMatch(/^known-issues\.yaml:\d+:\d+: YAML: /);
  });

  it('is read from --known-issues, or from known-issues.yaml when present, else nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pilot-known-'));
    const file = join(dir, 'known-issues.yaml');
    expect(await loadKnownIssues(undefined, file)).toEqual([]);
    await expect(loadKnownIssues(join(dir, 'other.yaml'))).rejects.toThrow(InputError);
    await expect(loadKnownIssues(join(dir, 'other.yaml'))).rejects.toThrow(/--known-issues: no such file/);
    await writeFile(file, 'known-issues:\n  - { scenario: a, dmesg: b, link: "https://x.org/1", expires: 2030-01-01 }\n');
    expect((await loadKnownIssues(undefined, file)).map((issue) => issue.source)).toEqual([`${file}:2:5`]);
    expect((await loadKnownIssues(file)).map((issue) => issue.scenario)).toEqual(['a']);
  });
});

describe('a scenario’s own known-issues key', () => {
  const scenario = (entries: string) =>
    parseScenario(
      `name: soc-bringup
profiles: [kvm-el2, el1]
known-issues:
${entries}
steps:
  - expect-el: profile
`,
      'scenarios/soc-bringup.yaml',
      STEP_KINDS,
    );

  it('is carried to the loaded scenario, tied to it', () => {
    const result = scenario(`  - profiles: [kvm-el2]
    dmesg: 'adsp: start timed out'
    link: https://bugs.example.org/9
    expires: 2026-06-01`);
    expect(result.problems).toEqual([]);
    expect(knownIssuesOfScenarios([result.scenario!])).toEqual([
      {
        scenario: 'soc-bringup',
        profiles: ['kvm-el2'],
        dmesg: 'adsp: start timed out',
        link: 'https://bugs.example.org/9',
        expires: '2026-06-01',
        reason: undefined,
        source: 'scenarios/soc-bringup.yaml:4:5',
      },
    ]);
  });

  it('may name its own scenario but no other', () => {
    expect(scenario(`  - { scenario: soc-bringup, dmesg: x, link: "https://x.org/1", expires: 2030-01-01 }`).problems).toEqual([]);
    const result = scenario(`  - { scenario: boot-el1, dmesg: x, link: "https://x.org/1", expires: 2030-01-01 }`);
    expect(result.problems.map(formatProblem)).toEqual([
      "scenarios/soc-bringup.yaml:4:17: known-issues[0].scenario: an entry in scenario 'soc-bringup' can only be about that scenario, got 'boot-el1' (put it in that scenario or the shared known-issues file)",
    ]);
  });

  it('is validated like the rest of the file', () => {
    const result = scenario(`  - { dmesg: x, link: "https://x.org/1" }`);
    expect(result.problems.map(formatProblem)).toEqual(['scenarios/soc-bringup.yaml:4:5: known-issues[0].expires: required key is missing; expected the last day the entry holds, YYYY-MM-DD']);
  });
});

describe('isCalendarDate', () => {
  it('accepts real days only', () => {
    expect(['2026-01-31', '2028-02-29'].map(isCalendarDate)).toEqual([true, true]);
    expect(['2026-02-29', '2026-13-01', '2026-1-1', 'tomorrow'].map(isCalendarDate)).toEqual([false, false, false, false]);
  });
});
