// One scenario through the LAVA path end to end: `pilot export lava --local`, a device dictionary rendered from LAVA's
// own qemu template, `lava-run`, and the dispatcher's log read back into test-case results.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../../../../harness/core/errors.ts';
import { lavaTestCaseNames } from '../../../../harness/export/lava/test-case-name.ts';
import type { ProfileName } from '../../../../harness/model/profile.ts';
import { loadScenarios } from '../../../../harness/scenario/load.ts';
import { REPO, startPilot } from '../pilot-cli.ts';
import { lavaDeviceTypeTemplates } from './device-types.ts';
import { readLavaJob, writeDeviceDictionary } from './device-dictionary.ts';
import { lavaResults, parseLavaLog, targetLines, testDefinitionResults, type LavaResult } from './lava-log.ts';
import { runLavaJob, type LavaRunResult } from './lava-run.ts';
import { STEP_KINDS } from '../../../../harness/steps/registry.ts';

export interface ExportedRun {
  /** Test-case names pilot gives the scenario's steps, in step order. */
  expectedCases: string[];
  /** The scenario's test definition's results as LAVA reported them, in order. */
  cases: Array<{ case: string; result: string }>;
  /** Every `results` record, LAVA's own actions (`definition: lava`, e.g. case `job`) included. */
  results: LavaResult[];
  /** The device's console, one line per log record. */
  console: string[];
  run: LavaRunResult;
  /** Wall time of export, render and lava-run together. */
  totalMs: number;
}

export interface ExportedJobOptions {
  /** Scenario file, relative to the repository. */
  scenarioFile: string;
  profile: ProfileName;
  /** Holds the job, its DTB, the device dictionary, lava-run's output and log. */
  workDir: string;
  signal?: AbortSignal;
}

export interface ExportedJob {
  jobFile: string;
  deviceFile: string;
  /** The test definition's name in the job (`pilot-<scenario>`). */
  definition: string;
  /** Test-case names pilot gives the scenario's steps, in step order. */
  expectedCases: string[];
}

/** `pilot export lava --local` into workDir, and the device dictionary LAVA's qemu template makes of the job's context. */
export async function prepareExportedJob(options: ExportedJobOptions): Promise<ExportedJob> {
  const [scenario] = await loadScenarios([join(REPO, options.scenarioFile)], STEP_KINDS);
  const templates = await lavaDeviceTypeTemplates({ signal: options.signal });

  const jobFile = join(options.workDir, 'job.yaml');
  const exported = await startPilot(['export', 'lava', options.scenarioFile, '--device-type', 'qemu', '-p', options.profile, '--local', options.workDir, '-o', jobFile]);
  if (exported.exitCode !== 0) throw new InfraError('E_LAVA_EXPORT', `pilot export lava ${options.scenarioFile} exited ${exported.exitCode}`, { evidence: exported.all.split('\n').slice(-12) });
  const job = readLavaJob(await readFile(jobFile, 'utf8'));

  const deviceFile = join(options.workDir, 'device.yaml');
  await writeDeviceDictionary(job, templates.dir, deviceFile, options.signal);
  await writeFile(join(options.workDir, 'templates.txt'), `lava-server ${templates.version}: ${templates.dir}\n`);
  return { jobFile, deviceFile, definition: `pilot-${scenario!.name}`, expectedCases: lavaTestCaseNames(scenario!) };
}

export async function runExportedScenario(options: ExportedJobOptions & { timeoutMs: number }): Promise<ExportedRun> {
  const started = Date.now();
  const job = await prepareExportedJob(options);
  const run = await runLavaJob({ jobFile: job.jobFile, deviceFile: job.deviceFile, workDir: options.workDir, timeoutMs: options.timeoutMs, signal: options.signal });
  const records = parseLavaLog(run.log);
  const results = lavaResults(records);
  return {
    expectedCases: job.expectedCases,
    cases: testDefinitionResults(results, job.definition),
    results,
    console: targetLines(records),
    run,
    totalMs: Date.now() - started,
  };
}
