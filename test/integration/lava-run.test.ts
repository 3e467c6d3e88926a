// An exported pilot scenario runs under LAVA's own dispatcher (lava-run, with a device dictionary from lava-server's
// qemu template) and LAVA reports what pilot would: every step passes on a good machine, and on a wrong one the first
// step fails and the rest skip. An aborted lava-run leaves nothing behind.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lavaTestCaseNames } from '../../harness/export/lava/test-case-name.ts';
import { loadScenarios } from '../../harness/scenario/load.ts';
import { REPO } from './support/pilot-cli.ts';
import { commandOf } from './support/processes.ts';
import { DISPATCHER_TMP, freeJobId, processesOfJob, runLavaJob } from './support/lava/lava-run.ts';
import { prepareExportedJob, runExportedScenario, type ExportedRun } from './support/lava/run-exported.ts';
import { STEP_KINDS } from '../../harness/steps/registry.ts';

const LAVA_RUN_TIMEOUT_MS = 8 * 60_000;
const KERNEL_BOOTED = /Booting Linux on physical CPU/;

let workDir: string | undefined;

afterEach(async () => {
  // PILOT_KEEP_ARTIFACTS=1 keeps the job, the device dictionary, the DTB and lava-run's log for a look after a failure.
  if (workDir && !process.env.PILOT_KEEP_ARTIFACTS) await rm(workDir, { recursive: true, force: true });
  workDir = undefined;
});

async function run(scenarioFile: string, profile: 'el1' | 'kvm-el2'): Promise<ExportedRun> {
  workDir = await mkdtemp(join(tmpdir(), 'pilot-lava-run-'));
  const result = await runExportedScenario({ scenarioFile, profile, workDir, timeoutMs: LAVA_RUN_TIMEOUT_MS });
  process.stderr.write(`[lava-run] ${scenarioFile} on ${profile}: lava-run ${(result.run.durationMs / 1000).toFixed(1)} s, total ${(result.totalMs / 1000).toFixed(1)} s\n`);
  return result;
}

/** Polls for the QEMU lava-run starts for the job; [] if none shows up in time. */
async function jobQemus(jobId: string, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const qemus = (await processesOfJob(jobId)).filter((p) => p.command.includes('qemu-system-aarch64')).map((p) => p.pid);
    if (qemus.length > 0) return qemus;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return [];
}

/** What every job must show whatever its verdict: the dispatcher finished the job, and its QEMU is gone. */
async function expectCompleteJob(result: ExportedRun): Promise<void> {
  const tail = result.run.log.split('\n').slice(-20).join('\n');
  expect(result.run.exitCode, tail).toBe(0);
  expect(result.results.find((r) => r.definition === 'lava' && r.case === 'job')?.result, tail).toBe('pass');
  expect(result.console.find((line) => KERNEL_BOOTED.test(line)), 'the kernel never printed its first line on the console').toBeDefined();
  expect(result.run.leftovers, 'lava-run left processes of its job running').toEqual([]);
  expect(await processesOfJob(result.run.jobId)).toEqual([]);
}

describe('exported scenarios under lava-run', { timeout: LAVA_RUN_TIMEOUT_MS + 180_000 }, () => {
  it('boot-el1 on el1: every step reports pass', async () => {
    const result = await run('scenarios/boot-el1.yaml', 'el1');
    await expectCompleteJob(result);
    expect(result.expectedCases.length).toBeGreaterThan(0);
    expect(result.cases).toEqual(result.expectedCases.map((name) => ({ case: name, result: 'pass' })));
  });

  it('soc-bringup on kvm-el2 without the el2 overlay: step 1 reports fail, the rest skip', async () => {
    const result = await run('test/fixtures/integration/bringup-without-el2-overlay.yaml', 'kvm-el2');
    await expectCompleteJob(result);
    // The fixture is soc-bringup minus the overlay: the same steps, so the same test cases.
    const [bringup] = await loadScenarios([join(REPO, 'scenarios/soc-bringup.yaml')], STEP_KINDS);
    expect(result.expectedCases).toEqual(lavaTestCaseNames(bringup!));
    const [first, ...rest] = result.expectedCases;
    expect(result.cases).toEqual([{ case: first, result: 'fail' }, ...rest.map((name) => ({ case: name, result: 'skip' }))]);
    // The failure is the real one: the DSPs' DMA faulted in the SMMU because nobody mapped their carve-outs.
    expect(result.console.find((line) => /arm-smmu-v3 [0-9a-f]+\.smmuv3: event 0x10 received/.test(line))).toBeDefined();
  });

  it('an aborted lava-run is killed with its QEMU, and its dispatcher folder is removed', async () => {
    workDir = await mkdtemp(join(tmpdir(), 'pilot-lava-run-'));
    const job = await prepareExportedJob({ scenarioFile: 'scenarios/boot-el1.yaml', profile: 'el1', workDir });
    const jobId = await freeJobId();
    const controller = new AbortController();
    const running = runLavaJob({ jobFile: job.jobFile, deviceFile: job.deviceFile, workDir, timeoutMs: LAVA_RUN_TIMEOUT_MS, signal: controller.signal, jobId });
    const outcome = running.then(
      () => undefined,
      (error: unknown) => error,
    );
    const qemus = await jobQemus(jobId, 180_000);
    controller.abort();
    const error = await outcome;
    expect(qemus, 'lava-run never started its QEMU').not.toEqual([]);
    expect(error).toMatchObject({ code: 'E_ABORTED' });
    expect(await processesOfJob(jobId)).toEqual([]);
    // Gone, or at most a zombie with no command line left.
    for (const pid of qemus) expect(await commandOf(pid)).toBe('');
    expect(await stat(join(DISPATCHER_TMP, jobId)).catch(() => undefined)).toBeUndefined();
  });
});
