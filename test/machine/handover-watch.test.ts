// The console watch that flushes QEMU's translations when a kernel hands the machine over: once per handover, logged,
// and a failed flush logged with its code instead of ending the run.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InfraError } from '../../harness/core/errors.ts';
import { watchHandovers } from '../../harness/machine/handover-watch.ts';
import { SerialConsole } from '../../harness/machine/serial-console.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function setUp(flush: () => Promise<number>) {
  dir = await mkdtemp(join(tmpdir(), 'pilot-handover-'));
  const serial = new SerialConsole(join(dir, 'serial.log'));
  const logPath = join(dir, 'jit-flush.log');
  const watch = watchHandovers(serial, { endpoint: { path: join(dir, 'gdb.sock') }, logPath, died: new Promise<never>(() => {}), flush });
  return { serial, watch, logPath };
}

describe('watchHandovers', () => {
  it('flushes at a kexec and at a restart, once for the lines of one handover, and logs each', async () => {
    let calls = 0;
    let release: () => void = () => {};
    const { serial, watch, logPath } = await setUp(async () => {
      calls += 1;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return 7;
    });
    serial.feed('[   19.52] kexec_core: Starting new kernel\r\n');
    // Xen's own line for the same reboot arrives while the first flush is under way.
    serial.feed('[   37.78] reboot: Restarting system\n(XEN) Hardware Dom0 shutdown: rebooting machine\n');
    expect(calls).toBe(1);
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    serial.feed('[   40.00] reboot: Restarting system\n');
    release();
    serial.feed('[   41.00] remoteproc remoteproc0: remote processor adsp is now up\n');
    await watch.dispose();
    await serial.close();
    expect(calls).toBe(2);
    expect(watch.flushes).toBe(2);
    const log = (await readFile(logPath, 'utf8')).trim().split('\n');
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/'\[   19\.52\] kexec_core: Starting new kernel': QEMU's translations flushed in 7 ms$/);
    expect(log[1]).toMatch(/reboot: Restarting system': QEMU's translations flushed/);
  });

  it('logs a failed flush with its code and carries on', async () => {
    const { serial, watch, logPath } = await setUp(() => Promise.reject(new InfraError('E_GDB_REMOTE', 'cannot reach the gdbstub at /x: ECONNREFUSED')));
    serial.feed('kexec_core: Starting new kernel\n');
    await watch.dispose();
    await serial.close();
    expect(await readFile(logPath, 'utf8')).toMatch(/flushing QEMU's translations failed: E_GDB_REMOTE: cannot reach the gdbstub at \/x/);
  });

  it('does nothing for an ordinary boot', async () => {
    let calls = 0;
    const { serial, watch, logPath } = await setUp(async () => {
      calls += 1;
      return 1;
    });
    serial.feed('[    0.00] Booting Linux on physical CPU 0x0\n[    4.30] Freeing unused kernel memory: 6080K\n');
    await watch.dispose();
    await serial.close();
    expect(calls).toBe(0);
    await expect(readFile(logPath, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
