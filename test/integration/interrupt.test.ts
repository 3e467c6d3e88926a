// Ctrl-C on a running `pilot run` must stop its QEMU, write results and exit 130.
import { describe, expect, it } from 'vitest';
import { artifactsBase, latestResults, startLongSleepRun } from './support/pilot-cli.ts';
import { alive, qemuChildrenOf } from './support/processes.ts';

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
