// A device dictionary for one job, rendered as a LAVA server would before handing the job to a worker's lava-run.
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { InfraError } from '../../../../harness/core/errors.ts';

const RENDERER = join(import.meta.dirname, 'render-device.py');
// Debian's python3 has lava-dispatcher's jinja2; a pyenv python earlier on PATH does not.
const SYSTEM_PYTHON = '/usr/bin/python3';

export interface LavaJobDefinition {
  device_type: string;
  context?: Record<string, unknown>;
  actions: Array<Record<string, unknown>>;
}

export function readLavaJob(text: string): LavaJobDefinition {
  const job = parse(text) as LavaJobDefinition | null;
  if (!job || typeof job.device_type !== 'string' || !Array.isArray(job.actions)) {
    throw new InfraError('E_LAVA_JOB', 'the exported text is not a LAVA job (no device_type or actions)');
  }
  return job;
}

/** Renders `<device_type>.jinja2` from templatesDir with the job's context (checked by PyYAML) and writes it to outPath. */
export async function writeDeviceDictionary(job: LavaJobDefinition, templatesDir: string, outPath: string, signal?: AbortSignal): Promise<void> {
  const result = await execa(SYSTEM_PYTHON, [RENDERER, templatesDir, job.device_type], {
    input: JSON.stringify(job.context ?? {}),
    reject: false,
    cancelSignal: signal,
    env: { LC_ALL: 'C.UTF-8' },
  });
  if (result.failed) {
    throw new InfraError('E_LAVA_DEVICE', `rendering the ${job.device_type} device dictionary failed: ${result.stderr.trim().split('\n').at(-1) ?? result.exitCode}`, {
      evidence: result.stderr.split('\n').slice(-12),
      hint: /No module named '(jinja2|yaml)'/.test(result.stderr) ? 'install lava-dispatcher, which brings python3-jinja2 and python3-yaml' : undefined,
    });
  }
  await writeFile(outPath, result.stdout);
}
