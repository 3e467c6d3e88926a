// pilot run --retries through the CLI on a real machine: a run that ERRORs is booted again, and both attempts are kept.
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactsBase, latestResults, startPilot } from './support/pilot-cli.ts';

describe('pilot run --retries', { timeout: 300_000 }, () => {
  it('boots a run that ended in ERROR once more, keeps the first attempt beside it, and reports both', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pilot-retries-'));
    const scenario = join(dir, 'hangs.yaml');
    // A step that outlives its own timeout is an ERROR (the harness gave up), so it is retried; it hangs every time.
    await writeFile(scenario, 'name: hangs\nprofiles: [el1]\nsteps:\n  - run: "sleep 30"\n    timeout: 2s\n');
    const base = await artifactsBase();
    const result = await startPilot(['run', '--retries', '1', scenario, '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.all).toMatch(/retry 1\/1 after E_STEP_TIMEOUT/);
    const [run] = (await latestResults(base)).runs;
    expect(run!.status).toBe('error');
    expect(run!.attempts?.map((attempt) => [attempt.attempt, attempt.failure?.code])).toEqual([[1, 'E_STEP_TIMEOUT']]);
    const folders = (await readdir(join(base, 'latest'), { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    expect(folders).toEqual(['hangs@el1', 'hangs@el1.attempt-1']);
    // Each attempt booted its own machine: both folders hold a serial log with a kernel banner.
    for (const folder of folders) expect(await readdir(join(base, 'latest', folder))).toContain('serial.log');
  });

  it('refuses a negative or fractional --retries as bad input', async () => {
    const result = await startPilot(['run', '--retries=1.5', 'scenarios/boot-el1.yaml']);
    expect(result.exitCode).toBe(2);
    expect(result.all).toMatch(/--retries: expected a whole number, 0 or more, got '1.5'/);
  });
});
