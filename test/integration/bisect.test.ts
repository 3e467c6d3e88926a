// `git bisect run pilot run --bisect`: finds the commit that made a scenario fail, skipping commits where pilot could not conclude.
import { execa } from 'execa';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/pilot-cli.ts';

const scenario = (command: string) => `name: bisect-me\nprofiles: [el1]\nsteps:\n  - run: "${command}"\n`;

async function git(dir: string, ...args: string[]): Promise<string> {
  const result = await execa('git', ['-c', 'user.name=pilot-test', '-c', 'user.email=pilot-test@localhost', ...args], { cwd: dir });
  return result.stdout;
}

describe('git bisect run with pilot run --bisect', { timeout: 300_000 }, () => {
  it('names the first commit whose scenario FAILs and skips the one with a broken scenario file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pilot-bisect-'));
    await git(dir, 'init', '-q', '-b', 'main');
    const commits: string[] = [];
    const commit = async (content: string, message: string) => {
      await writeFile(join(dir, 'scenario.yaml'), content);
      await git(dir, 'add', 'scenario.yaml');
      await git(dir, 'commit', '-q', '--allow-empty', '-m', message);
      commits.push(await git(dir, 'rev-parse', 'HEAD'));
    };
    // The broken commit is the midpoint git tests first, and sits between good ones, so skipping it still leaves one answer.
    await commit(scenario('true'), 'good 1');
    await commit(scenario('true'), 'good 2');
    await commit('name: bisect-me\nsteps: [ unclosed\n', 'a broken scenario file: inconclusive, must be skipped');
    await commit(scenario('true'), 'good 3');
    await commit(scenario('false'), 'the regression');
    await commit(scenario('false'), 'bad 2');

    await git(dir, 'bisect', 'start', commits[5]!, commits[0]!);
    const bisect = await execa('git', ['bisect', 'run', 'node', join(REPO, 'bin/pilot.mjs'), 'run', '--bisect', '--artifacts', join(dir, '.artifacts'), 'scenario.yaml'], {
      cwd: dir,
      env: { CI: 'true' },
      reject: false,
      all: true,
    });
    expect(bisect.exitCode, bisect.all).toBe(0);
    expect(bisect.all).toContain(`${commits[4]} is the first bad commit`);
    // The broken commit was tested (exit 125) and skipped, not blamed.
    const log = await git(dir, "bisect", "log");
    expect(log).toContain(`git bisect skip ${commits[2]}`);
  });

  it('maps outcomes: a pass is 0, a FAIL 1, bad input 125', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pilot-bisect-codes-'));
    const run = async (content: string) => {
      await writeFile(join(dir, 'scenario.yaml'), content);
      return (await execa('node', [join(REPO, 'bin/pilot.mjs'), 'run', '--bisect', '--artifacts', join(dir, '.artifacts'), 'scenario.yaml'], { cwd: dir, env: { CI: 'true' }, reject: false })).exitCode;
    };
    expect(await run(scenario('true'))).toBe(0);
    expect(await run(scenario('false'))).toBe(1);
    expect(await run('name: Bad Name\nsteps: []\n')).toBe(125);
  });
});
