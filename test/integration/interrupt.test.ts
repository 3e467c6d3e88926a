// Ctrl-C on a running `pilot run`, or the loss of the process that started it, must stop its QEMU, write results and exit.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { artifactsBase, latestResults, REPO, startLongSleepRun } from './support/pilot-cli.ts';
import { alive, qemuChildrenOf, waitForOutput } from './support/processes.ts';

describe('interrupting pilot run', { timeout: 300_000 }, () => {
  it('leaves no QEMU behind after SIGINT and exits 130', async () => {
    const base = await artifactsBase();
    const { child } = await startLongSleepRun(base);
    const qemus = await qemuChildrenOf(child.pid!);
    expect(qemus).toHaveLength(1);

    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, result.all).toBe(130);
    for (const pid of qemus) expect(alive(pid), `QEMU ${pid} still running`).toBe(false);
    const summary = await latestResults(base);
    expect(summary.interrupted).toBe(true);
    expect(summary.runs[0]!.status).toBe('error');
    expect(summary.runs[0]!.failure?.code).toBe('E_ABORTED');
    expect(summary.runs[0]!.steps[0]!.status).toBe('error');
  });
});

describe('pilot whose parent goes away', { timeout: 300_000 }, () => {
  it('stops its QEMU, writes results and exits when the wrapper that started it is killed (as npm does not forward SIGTERM)', async () => {
    const base = await artifactsBase();
    // A shell stands for npm's wrapper: it starts pilot, then dies by SIGKILL without telling it anything.
    const wrapper = execa('bash', ['-c', `node bin/pilot.mjs run test/fixtures/integration/long-sleep.yaml --artifacts '${base}' & echo "pilot-pid:$!"; wait`], {
      cwd: REPO,
      env: { CI: 'true' },
      reject: false,
      all: true,
    });
    let output = '';
    wrapper.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    expect(await waitForOutput(() => output, /step 1\/1 .*sleep 600/, 180_000), output).toBe(true);
    const pilot = Number(/pilot-pid:(\d+)/.exec(output)![1]);
    const qemus = await qemuChildrenOf(pilot);
    expect(qemus).toHaveLength(1);

    wrapper.kill('SIGKILL');
    await wrapper;
    const gone = await waitForOutput(() => (alive(pilot) ? '' : 'gone'), /gone/, 60_000);
    expect(gone, `pilot ${pid(pilot)} still running after its parent died`).toBe(true);
    for (const qemu of qemus) expect(alive(qemu), `QEMU ${qemu} still running`).toBe(false);
    const summary = await latestResults(base);
    expect(summary.interrupted).toBe(true);
    expect(summary.runs[0]!.failure?.code).toBe('E_ABORTED');
    expect(output).toMatch(/pilot: the process that started pilot \(pid \d+\) is gone, stopping machines/);
  });
});

function pid(value: number): string {
  return `(pid ${value})`;
}
