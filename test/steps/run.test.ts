import { afterEach, describe, expect, it } from 'vitest';
import { AssertionFailure, InfraError } from '../../harness/core/errors.ts';
import { run } from '../../harness/steps/run.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';
import { fakeStepContext } from '../fakes/step-context.ts';

const guests: FakeGuest[] = [];
function setup(options: { deadlineMs?: number } = {}) {
  const guest = new FakeGuest();
  guests.push(guest);
  return fakeStepContext({ guest, ...options });
}
afterEach(async () => {
  for (const guest of guests.splice(0)) await guest.close();
});

const spec = (body: unknown) => run.schema.parse(body);

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
}

describe('run', () => {
  it('passes when the command exits as expected, and notes it', async () => {
    const { context, guest, assertions } = setup();
    guest.onExec('cat /sys/class/remoteproc/remoteproc0/state', { stdout: 'running\n' });
    await run.run(spec('cat /sys/class/remoteproc/remoteproc0/state'), context);
    expect(assertions).toEqual(["'cat /sys/class/remoteproc/remoteproc0/state' exited with 0"]);
    expect(guest.execCalls[0]!.options.signal).toBe(context.signal);
  });

  it('accepts a non-zero exit when the scenario expects it', async () => {
    const { context, guest } = setup();
    guest.onExec('cat /sys/hypervisor/type', { code: 1, stderr: 'cat: /sys/hypervisor/type: No such file or directory\n' });
    await run.run(spec({ command: 'cat /sys/hypervisor/type', exit: 1 }), context);
  });

  it('fails on an unexpected exit status, quoting the tails of stdout and stderr', async () => {
    const { context, guest } = setup();
    const stdout = Array.from({ length: 25 }, (_, index) => `out ${index}`).join('\n') + '\n';
    guest.onExec(/^modprobe/, { code: 1, stdout, stderr: 'modprobe: FATAL: Module qcom_pas_sim not found\n' });
    const error = (await errorOf(run.run(spec({ command: 'modprobe qcom_pas_sim' }), context))) as AssertionFailure;
    expect(error).toBeInstanceOf(AssertionFailure);
    expect(error.code).toBe('F_RUN_EXIT');
    expect(error.message).toBe("'modprobe qcom_pas_sim' exited with 1, expected 0");
    expect(error.evidence[0]).toBe('stdout: (last 20 of 25 lines)');
    expect(error.evidence[1]).toBe('stdout| out 5');
    expect(error.evidence.at(-1)).toBe('stderr| modprobe: FATAL: Module qcom_pas_sim not found');
  });

  it('checks stdout and stderr: contains, matches (per line) and absent', async () => {
    const { context, guest, assertions } = setup();
    guest.onExec('ls /sys/class/iommu', { stdout: 'smmu3.0x0000000009050000\n', stderr: '' });
    await run.run(spec({ command: 'ls /sys/class/iommu', stdout: { contains: 'smmu', matches: '^smmu3\\.', absent: ['error'] } }), context);
    expect(assertions.at(-1)).toBe("stdout of 'ls /sys/class/iommu' passed 3 check(s)");

    guest.onExec('ls /sys/class/iommu | wc -l', { stdout: '1\n' });
    const error = (await errorOf(run.run(spec({ command: 'ls /sys/class/iommu | wc -l', stdout: { matches: ['^0$'] } }), context))) as AssertionFailure;
    expect(error.code).toBe('F_RUN_OUTPUT');
    expect(error.message).toBe('stdout does not match /^0$/');

    guest.onExec('dmesg-ish', { stdout: 'ok\n', stderr: 'warning: deprecated\n' });
    const absent = (await errorOf(run.run(spec({ command: 'dmesg-ish', stderr: { absent: 'warning' }, stdout: { contains: 'missing' } }), context))) as AssertionFailure;
    expect(absent.message).toBe('stdout does not contain "missing"; stderr contains "warning", expected it absent');
  });

  it('fails when the command is killed by a signal', async () => {
    const { context, guest } = setup();
    guest.onExec('crashy', { code: null, signal: 'SEGV' });
    const error = (await errorOf(run.run(spec('crashy'), context))) as AssertionFailure;
    expect(error).toBeInstanceOf(AssertionFailure);
    expect(error.code).toBe('F_RUN_SIGNAL');
  });

  it('is an infrastructure error when the session ends without a status', async () => {
    const { context, guest } = setup();
    guest.onExec('reboot -f', { code: null });
    const error = (await errorOf(run.run(spec('reboot -f'), context))) as InfraError;
    expect(error).toBeInstanceOf(InfraError);
    expect(error.code).toBe('E_RUN_NO_STATUS');
  });

  it('gives the command its own timeout; a timeout is an infrastructure error', async () => {
    const { context, guest } = setup({ deadlineMs: 5_000 });
    guest.onExec('sleep 600', { hang: true });
    const started = Date.now();
    const error = (await errorOf(run.run(spec({ command: 'sleep 600', timeout: '100ms' }), context))) as InfraError;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(InfraError);
    expect(error.code).toBe('E_EXEC_TIMEOUT');
    expect(guest.execCalls[0]!.options.timeoutMs).toBe(100);
  });

  it('bounds the command timeout by the step deadline', async () => {
    const { context, guest } = setup({ deadlineMs: 200 });
    guest.onExec('sleep 600', { hang: true });
    const error = await errorOf(run.run(spec({ command: 'sleep 600', timeout: '1h' }), context));
    expect(error).toMatchObject({ code: 'E_EXEC_TIMEOUT' });
    expect(guest.execCalls[0]!.options.timeoutMs).toBeGreaterThan(100);
    expect(guest.execCalls[0]!.options.timeoutMs).toBeLessThanOrEqual(200);
  });

  it('wraps a non-pilot exec failure as an infrastructure error', async () => {
    const { context, guest } = setup();
    guest.onExec('x', () => {
      throw new Error('channel open failure');
    });
    const error = (await errorOf(run.run(spec('x'), context))) as InfraError;
    expect(error).toBeInstanceOf(InfraError);
    expect(error.code).toBe('E_RUN');
    expect(error.message).toBe("running 'x' failed: channel open failure");
  });

  it('title shows the command', () => {
    expect(run.title(spec('cat /proc/version'))).toBe('run: cat /proc/version');
  });
});
