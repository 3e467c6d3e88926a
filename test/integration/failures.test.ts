// Real boots that go wrong: the kernel failing is FAIL, the machine dying under it is ERROR, bad input boots nothing.
import { describe, expect, it } from 'vitest';
import { artifactsBase, latestResults, runFile, startLongSleepRun, startPilot } from './support/pilot-cli.ts';
import { qemuChildrenOf } from './support/processes.ts';

describe('failures on real machines', { timeout: 300_000 }, () => {
  it('reports a false assertion and a kernel panic as FAIL, quoting what the kernel printed', async () => {
    const base = await artifactsBase();
    const result = await startPilot([
      'run',
      'test/fixtures/integration/absent-boot-line.yaml',
      'test/fixtures/integration/kernel-crash.yaml',
      'test/fixtures/integration/wrong-exit.yaml',
      '--artifacts',
      base,
    ]);
    expect(result.exitCode, result.all).toBe(1);
    const summary = await latestResults(base);
    const byId = Object.fromEntries(summary.runs.map((run) => [run.id, run]));

    const failed = byId['absent-boot-line@el1']!;
    expect(failed.status).toBe('fail');
    expect(failed.steps.map((step) => step.status)).toEqual(['fail', 'skip']);
    expect(failed.failure?.evidence.join('\n')).toMatch(/Booting Linux on physical CPU/);

    const crashed = byId['kernel-crash@el1']!;
    expect(crashed.status).toBe('fail');
    expect(crashed.steps.map((step) => step.status)).toEqual(['fail', 'skip']);
    expect(crashed.failure?.code).toBe('F_KERNEL_PANIC');
    expect(crashed.failure?.evidence.join('\n')).toMatch(/sysrq: Trigger a crash/);
    expect(crashed.failure?.evidence.join('\n')).toMatch(/Kernel panic - not syncing/);
    // It ended when the kernel died, not when the 120 s sleep or the 3 min timeout ran out.
    expect(crashed.steps[0]!.durationMs).toBeLessThan(60_000);
    expect(await runFile(base, crashed.id, 'serial.log')).toMatch(/Kernel panic/);
    expect(result.all).toMatch(/FAIL/);

    const wrongExit = byId['wrong-exit@el1']!;
    expect(wrongExit.status).toBe('fail');
    expect(wrongExit.failure?.code).toBe('F_RUN_EXIT');
    expect(wrongExit.failure?.message).toMatch(/exited with 3, expected 0/);
  });

  it('reports a QEMU killed under a running step as ERROR, at once, with its exit', async () => {
    const base = await artifactsBase();
    const { child } = await startLongSleepRun(base);
    const [qemu] = await qemuChildrenOf(child.pid!);
    const killedAt = Date.now();
    process.kill(qemu!, 'SIGKILL');
    const result = await child;
    expect(Date.now() - killedAt).toBeLessThan(20_000);
    expect(result.exitCode, result.all).toBe(2);
    const run = (await latestResults(base)).runs[0]!;
    expect(run.status).toBe('error');
    expect(run.failure?.code).toBe('E_QEMU_EXIT');
    expect(run.failure?.message).toMatch(/SIGKILL/);
    expect(result.all).toMatch(/ERROR/);
  });

  it('rejects a scenario with a typo before anything boots, naming file, line and column', async () => {
    const base = await artifactsBase();
    const started = Date.now();
    const result = await startPilot(['run', 'test/fixtures/integration/typo.yaml', '--artifacts', base]);
    expect(result.exitCode).toBe(2);
    expect(result.all).toMatch(/typo\.yaml:5:7: .*contians.*did you mean 'contains'/);
    expect(result.all).toMatch(/typo\.yaml:6:12: .*comand.*did you mean 'command'/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
