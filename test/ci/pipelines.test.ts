// The nightly pipelines in ci/nightly/: they parse, shard the matrix and merge it, and every pilot command they run exists.
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const REPO = resolve(import.meta.dirname, '../..');
const GITLAB = 'ci/nightly/gitlab-ci.yml';
const GITHUB = 'ci/nightly/github-actions.yml';

type Yaml = Record<string, any>;

function load(path: string): Yaml {
  return parse(readFileSync(join(REPO, path), 'utf8'), { uniqueKeys: true }) as Yaml;
}

const asList = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

/** Every shell line a GitLab job or a GitHub step runs. */
function gitlabScripts(pipeline: Yaml): string[] {
  return Object.values(pipeline)
    .filter((job): job is Yaml => job !== null && typeof job === 'object' && ('script' in job || 'before_script' in job))
    .flatMap((job) => [...asList(job.before_script), ...asList(job.script), ...asList(job.after_script)]);
}

function githubScripts(workflow: Yaml): string[] {
  return Object.values(workflow.jobs as Record<string, Yaml>).flatMap((job) => (job.steps as Yaml[]).flatMap((step) => asList(step.run)));
}

export interface PilotInvocation {
  line: string;
  command: string;
  /** The word after the command, when it reads like a subcommand (`images build`, `report html`). */
  subcommand: string | undefined;
  flags: string[];
}

/** `npx pilot <cmd> …` or `node bin/pilot.mjs <cmd> …`, one per shell command (split at ; && || |). */
export function pilotInvocations(scripts: ReadonlyArray<string>): PilotInvocation[] {
  const commands = scripts.flatMap((script) => script.split('\n')).flatMap((line) => line.split(/;|&&|\|\||\|/));
  return commands.flatMap((line) => {
    const match = /(?:npx\s+pilot|node\s+\S*bin\/pilot\.mjs)\s+(\S+)(.*)$/.exec(line);
    if (!match) return [];
    const rest = match[2]!;
    const next = rest.trim().split(/\s+/)[0];
    const flags = [...rest.matchAll(/(?<![\w-])(--?[a-zA-Z][\w-]*)/g)].map((m) => m[1]!);
    return [{ line: line.trim(), command: match[1]!, subcommand: next && /^[a-z]+$/.test(next) ? next : undefined, flags: [...new Set(flags)] }];
  });
}

function pilot(args: string[]) {
  return execa('node', [join(REPO, 'bin/pilot.mjs'), ...args], { reject: false, all: true, cwd: REPO, env: { CI: 'true' } });
}

const helpCache = new Map<string, Promise<string>>();
function helpOf(command: string): Promise<string> {
  if (!helpCache.has(command)) helpCache.set(command, pilot([command, '--help']).then((result) => result.all ?? ''));
  return helpCache.get(command)!;
}

async function pilotCommands(): Promise<string[]> {
  const usage = (await pilot(['--help'])).all ?? '';
  const section = usage.split('commands:')[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][\w-]*)\s{2,}/gm)].map((m) => m[1]!);
}

function listsFlag(help: string, flag: string): boolean {
  const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[\\s,\\[])${escaped}(?![\\w-])`, 'm').test(help);
}

/** Scripts run other files of the repository; they must exist. */
function scriptFiles(scripts: ReadonlyArray<string>): string[] {
  return [...new Set(scripts.flatMap((script) => [...script.matchAll(/\bbash\s+(\S+\.sh)\b/g)].map((m) => m[1]!)))];
}

const gitlab = load(GITLAB);
const github = load(GITHUB);
const invocations = [
  ...pilotInvocations(gitlabScripts(gitlab)).map((call) => ({ ...call, pipeline: GITLAB })),
  ...pilotInvocations(githubScripts(github)).map((call) => ({ ...call, pipeline: GITHUB })),
];

describe('the GitLab nightly pipeline', () => {
  const jobs = Object.entries(gitlab).filter(([, job]) => job !== null && typeof job === 'object' && 'script' in job) as Array<[string, Yaml]>;
  const runJobs = jobs.filter(([, job]) => asList(job.script).some((line) => /pilot run\b/.test(line)));
  const mergeJobs = jobs.filter(([, job]) => asList(job.script).some((line) => /pilot merge\b/.test(line)));

  it('runs on a schedule, in Debian 12', () => {
    expect(gitlab.workflow.rules.map((rule: Yaml) => rule.if)).toContain('$CI_PIPELINE_SOURCE == "schedule"');
    for (const [, job] of jobs) expect(job.image ?? gitlab.default.image).toBe('debian:12');
  });

  it('runs the matrix sharded across parallel jobs and keeps their artifacts even when they fail', () => {
    expect(runJobs).toHaveLength(1);
    const [, job] = runJobs[0]!;
    expect(job.parallel).toBeGreaterThanOrEqual(2);
    const run = asList(job.script).find((line) => /pilot run\b/.test(line))!;
    expect(run).toContain('--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"');
    const base = /--artifacts "([^"$]+)/.exec(run)![1]!;
    expect(job.artifacts.when).toBe('always');
    expect(asList(job.artifacts.paths).some((path) => base.startsWith(path.replace(/\/$/, '')))).toBe(true);
  });

  it('merges every shard in one job that runs whatever the shards did, and publishes JUnit and HTML', () => {
    expect(mergeJobs).toHaveLength(1);
    const [, job] = mergeJobs[0]!;
    expect(asList(job.needs)).toContain(runJobs[0]![0]);
    expect(job.when).toBe('always');
    const merge = asList(job.script).find((line) => /pilot merge\b/.test(line))!;
    const out = /-o (\S+)/.exec(merge)![1]!;
    expect(job.artifacts.reports.junit).toBe(`${out}/junit.xml`);
    expect(job.artifacts.when).toBe('always');
    expect(asList(job.artifacts.paths)).toContain(`${out}/`);
    expect(asList(job.script).some((line) => line.includes(`pilot report html ${out}`))).toBe(true);
  });
});

describe('the GitHub Actions nightly workflow', () => {
  const jobs = github.jobs as Record<string, Yaml>;
  const steps = (job: Yaml) => job.steps as Yaml[];
  const runJob = Object.values(jobs).find((job) => steps(job).some((step) => /pilot run\b/.test(step.run ?? '')))!;
  const mergeEntry = Object.entries(jobs).find(([, job]) => steps(job).some((step) => /pilot merge\b/.test(step.run ?? '')))!;

  it('runs on a schedule, in Debian 12', () => {
    expect(github.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    for (const job of [runJob, mergeEntry[1]]) expect(job.container?.image ?? job.container).toBe('debian:12');
  });

  it('runs the matrix sharded across a strategy matrix and uploads artifacts even when a shard fails', () => {
    const shards = runJob.strategy.matrix.shard as number[];
    expect(shards.length).toBeGreaterThanOrEqual(2);
    expect(shards).toEqual(shards.map((_, i) => i + 1));
    expect(runJob.strategy['fail-fast']).toBe(false);
    const run = steps(runJob).find((step) => /pilot run\b/.test(step.run ?? ''))!.run as string;
    expect(run).toContain('--shard "${{ matrix.shard }}/${{ strategy.job-total }}"');
    const upload = steps(runJob).find((step) => String(step.uses).startsWith('actions/upload-artifact@'))!;
    expect(upload.if).toBe('always()');
    expect(upload.with.path).toBe('artifacts/shard-${{ matrix.shard }}/');
  });

  it('merges the downloaded shards in a job that runs whatever they did, and publishes JUnit and HTML', () => {
    const [name, job] = mergeEntry;
    const runName = Object.entries(jobs).find(([, candidate]) => candidate === runJob)![0];
    expect(asList(job.needs)).toContain(runName);
    expect(job.if).toBe('always()');
    const download = steps(job).find((step) => String(step.uses).startsWith('actions/download-artifact@'))!;
    expect(download.with.pattern).toBe('pilot-shard-*');
    const merge = steps(job).find((step) => /pilot merge\b/.test(step.run ?? ''))!.run as string;
    expect(merge).toContain(`pilot merge ${download.with.path} -o artifacts/nightly`);
    expect(merge).toContain('GITHUB_STEP_SUMMARY');
    const junit = steps(job).find((step) => String(step.uses).startsWith('mikepenz/action-junit-report@'))!;
    expect([junit.if, junit.with.report_paths]).toEqual(['always()', 'artifacts/nightly/junit.xml']);
    expect(steps(job).some((step) => /pilot report html artifacts\/nightly/.test(step.run ?? ''))).toBe(true);
    const upload = steps(job).find((step) => String(step.uses).startsWith('actions/upload-artifact@'))!;
    expect([upload.if, upload.with.path]).toEqual(['always()', 'artifacts/nightly/']);
    expect(name).toBeTruthy();
  });
});

describe('the kernel-tree jobs', () => {
  const gitlabJob = gitlab['pilot-kernel-trees'] as Yaml;
  const githubJob = (github.jobs as Record<string, Yaml>)['kernel-trees']!;
  const builds = (scripts: string[]) => pilotInvocations(scripts).filter((call) => call.command === 'kernel-tree').map((call) => call.line.replace(/^.*npx pilot /, ''));
  const wanted = ['kernel-tree build sim-6.1', 'kernel-tree build sim-6.1:crash-regression', 'kernel-tree build qcom-6.12', 'kernel-tree build qcom-6.12:el2-map', 'kernel-tree build qcom-6.12:no-bridge'];

  it('build every recipe cold, timed, beside the shards, and run the build-tree tests on the sim trees', () => {
    expect(builds(asList(gitlabJob.script))).toEqual(wanted);
    expect(builds(githubScripts({ jobs: { githubJob } }))).toEqual(wanted);
    expect(gitlabJob.needs).toEqual([]);
    expect(gitlabJob.cache).toBeUndefined();
    for (const script of [asList(gitlabJob.script), githubScripts({ jobs: { githubJob } })]) {
      expect(script.filter((line) => /kernel-tree build/.test(line)).every((line) => /\btime npx pilot kernel-tree build/.test(line))).toBe(true);
      expect(script.join('\n')).toContain('PILOT_BUILD_KERNELS=1 npx vitest run test/integration/kernel-trees.test.ts');
    }
  });
});

describe('what the pipelines run', { timeout: 120_000 }, () => {
  it('finds the pilot invocations in both files', () => {
    const commands = new Set(invocations.map((call) => `${call.pipeline}: ${call.command}`));
    for (const pipeline of [GITLAB, GITHUB]) for (const command of ['run', 'merge', 'report']) expect(commands).toContain(`${pipeline}: ${command}`);
  });

  it.each(invocations.map((call) => [`${call.pipeline}: ${call.line}`, call] as const))('%s names a pilot command and flags its --help lists', async (_, call) => {
    expect(await pilotCommands(), `'${call.command}' is not a pilot command`).toContain(call.command);
    const help = await helpOf(call.command);
    const missing = call.flags.filter((flag) => !listsFlag(help, flag));
    expect(missing, `pilot ${call.command} --help does not list ${missing.join(', ')}`).toEqual([]);
  });

  it('runs repository scripts that exist and parse', async () => {
    const files = scriptFiles([...gitlabScripts(gitlab), ...githubScripts(github)]);
    expect(files).toContain('ci/nightly/prepare.sh');
    for (const file of files) {
      expect(existsSync(join(REPO, file)), file).toBe(true);
      expect((await execa('bash', ['-n', join(REPO, file)], { reject: false })).exitCode, file).toBe(0);
    }
  });
});

describe('pilotInvocations', () => {
  it('reads the command, a subcommand and the flags, past shell expansions', () => {
    expect(pilotInvocations(['DURATIONS=""; npx pilot run scenarios/ --shard "$I/$N" ${DURATIONS:+--durations "$DURATIONS"} --artifacts "artifacts/shard-$I" -j 2 | tee x'])).toEqual([
      { line: 'npx pilot run scenarios/ --shard "$I/$N" ${DURATIONS:+--durations "$DURATIONS"} --artifacts "artifacts/shard-$I" -j 2', command: 'run', subcommand: undefined, flags: ['--shard', '--durations', '--artifacts', '-j'] },
    ]);
    expect(pilotInvocations(['node bin/pilot.mjs images build && echo done'])).toEqual([{ line: 'node bin/pilot.mjs images build', command: 'images', subcommand: 'build', flags: [] }]);
  });

  it('tells listed flags from unlisted ones', () => {
    const help = '  -o, --output DIR   where\n      --known-issues FILE\n';
    expect(['-o', '--output', '--known-issues', '--known', '-k'].map((flag) => listsFlag(help, flag))).toEqual([true, true, true, false, false]);
  });
});
