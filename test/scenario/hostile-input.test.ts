// Scenario files a new user or a fuzzer writes: each is refused with its code and file:line:col, none crashes the loader.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../harness/config/problem.ts';
import { loadScenarios, ScenarioLoadError } from '../../harness/scenario/load.ts';
import { STEP_KINDS } from '../../harness/steps/registry.ts';

const dir = mkdtempSync(join(tmpdir(), 'pilot-hostile-'));

async function problemsOf(name: string, content: string | Buffer): Promise<string[]> {
  const file = join(dir, name);
  writeFileSync(file, content);
  const error = await loadScenarios([file], STEP_KINDS).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ScenarioLoadError);
  expect((error as ScenarioLoadError).code).toBe('E_SCENARIO_INVALID');
  return (error as ScenarioLoadError).problems.map(formatProblem);
}

const BOMB = ['a: &a ["x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]'].join('\n');

describe('hostile scenario files', () => {
  it('an alias bomb: a problem at the first alias, not a bare ReferenceError', async () => {
    const problems = await problemsOf('bomb.yaml', `name: bomb\n${BOMB}\nsteps: [{ run: "true" }]\n`);
    expect(problems).toEqual([expect.stringMatching(/bomb\.yaml:3:\d+: YAML aliases expand past 1000 nodes/)]);
  });

  it('bytes that are not UTF-8, placed at the byte', async () => {
    const bytes = Buffer.concat([Buffer.from('name: latin\nsteps:\n  - run: "echo '), Buffer.from([0xe9]), Buffer.from('"\n')]);
    expect(await problemsOf('latin1.yaml', bytes)).toEqual([expect.stringMatching(/latin1\.yaml:3:16: byte 0xe9 at offset \d+ is not UTF-8/)]);
  });

  it('a NUL byte', async () => {
    expect(await problemsOf('nul.yaml', 'name: nul\nsteps:\n  - run: "a\u0000b"\n')).toEqual([expect.stringMatching(/nul\.yaml:3:12: a NUL byte/)]);
  });

  it('a file past the size limit (a pasted 2 MB command)', async () => {
    const problems = await problemsOf('huge.yaml', `name: huge\nsteps:\n  - run: "${'x'.repeat(2 * 1024 * 1024)}"\n`);
    expect(problems).toEqual([expect.stringMatching(/huge\.yaml:1:1: the file is \d+ bytes; pilot reads configuration files of at most 1048576 bytes/)]);
  });

  it('a kernel build-dir that does not exist, at the path it names', async () => {
    const problems = await problemsOf('kernel.yaml', 'name: kernel-missing\nprofiles: [kvm-el2]\nkernel:\n  build-dir: ../no/such/tree\nsteps: [{ run: "true" }]\n');
    expect(problems).toEqual([expect.stringMatching(/kernel\.yaml:4:14: kernel\.build-dir: .*no\/such\/tree does not exist/)]);
  });

  it('every bad file at once, each with its own place', async () => {
    writeFileSync(join(dir, 'many-a.yaml'), 'name: a\x00\n');
    writeFileSync(join(dir, 'many-b.yaml'), `name: b\n${BOMB}\n`);
    const error = (await loadScenarios([join(dir, 'many-a.yaml'), join(dir, 'many-b.yaml')], STEP_KINDS).catch((caught: unknown) => caught)) as ScenarioLoadError;
    expect(error.problems.map((problem) => problem.file.split('/').pop())).toEqual(['many-a.yaml', 'many-b.yaml']);
  });
});
