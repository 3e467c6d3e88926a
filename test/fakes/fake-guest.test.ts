import { describe, expect, it } from 'vitest';
import { FakeGuest, FakeKernelLog } from './fake-guest.ts';
import { parseKmsgDump, realBootLog } from './kmsg.ts';

describe('FakeKernelLog', () => {
  it('numbers records, delivers them to subscribers, and cuts windows by seq', () => {
    const log = new FakeKernelLog(['a', 'b']);
    const seen: string[] = [];
    const unsubscribe = log.subscribe((record) => seen.push(record.text));
    expect(log.nextSeq()).toBe(2);
    log.log('c', { text: 'user line', facility: 1 });
    unsubscribe();
    log.log('d');
    expect(seen).toEqual(['c', 'user line']);
    expect(log.since(2).map((record) => [record.seq, record.text, record.facility])).toEqual([
      [2, 'c', 0],
      [3, 'user line', 1],
      [4, 'd', 0],
    ]);
    expect(log.listenerCount).toBe(0);
  });

  it('holds unreceived records back until sync()', async () => {
    const log = new FakeKernelLog(['a']);
    log.logUnreceived('late');
    expect(log.nextSeq()).toBe(1);
    expect(log.records.map((record) => record.text)).toEqual(['a']);
    await log.sync();
    expect(log.records.map((record) => record.text)).toEqual(['a', 'late']);
    expect(log.syncCalls).toBe(1);
  });

  it('can make sync hang until its deadline, or fail', async () => {
    const log = new FakeKernelLog();
    log.syncHangs = true;
    await expect(log.sync({ deadline: Date.now() + 30 })).rejects.toMatchObject({ code: 'E_TIMEOUT' });
    log.syncError = new Error('reader gone');
    await expect(log.sync()).rejects.toThrow('reader gone');
  });

  it('replays a real boot log keeping seq and usec', () => {
    const log = new FakeKernelLog();
    const boot = realBootLog('el1');
    log.replay(boot);
    expect(log.records).toEqual(boot);
    expect(log.log('after')[0]!.seq).toBe(boot.at(-1)!.seq + 1);
  });
});

describe('parseKmsgDump', () => {
  it('reads level and facility from prio, drops continuation lines and unescapes', () => {
    expect(parseKmsgDump('6,1,100,-;hello\\x09world\n SUBSYSTEM=pci\n14,2,200,-;user says hi\n')).toEqual([
      { seq: 1, level: 6, facility: 0, usec: 100, text: 'hello\tworld' },
      { seq: 2, level: 6, facility: 1, usec: 200, text: 'user says hi' },
    ]);
  });
});

describe('FakeGuest', () => {
  it('answers with the most recent matching script, honours once, and rejects unscripted commands', async () => {
    const guest = new FakeGuest();
    guest.onExec(/^cat /, { stdout: 'generic\n' }).onExec('cat /x', { stdout: 'once\n' }, { once: true });
    expect((await guest.exec('cat /x')).stdout).toBe('once\n');
    expect((await guest.exec('cat /x')).stdout).toBe('generic\n');
    await expect(guest.exec('ls')).rejects.toThrow('no scripted answer for command: ls');
    expect(guest.execCalls.map((call) => call.command)).toEqual(['cat /x', 'cat /x', 'ls']);
  });

  it('logs kernel records before answering', async () => {
    const guest = new FakeGuest();
    guest.onExec('insmod x.ko', { log: ['x: loaded'] });
    await guest.exec('insmod x.ko');
    expect(guest.kernelLog.records.map((record) => record.text)).toEqual(['x: loaded']);
  });

  it('a hanging command ends by its timeout, its signal, or the machine dying', async () => {
    const guest = new FakeGuest();
    guest.onExec('sleep 60', { hang: true });
    await expect(guest.exec('sleep 60', { timeoutMs: 20 })).rejects.toMatchObject({ code: 'E_EXEC_TIMEOUT', failureClass: 'error' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(guest.exec('sleep 60', { signal: controller.signal })).rejects.toMatchObject({ code: 'E_ABORTED' });
    setTimeout(() => guest.machine.die(), 20);
    await expect(guest.exec('sleep 60')).rejects.toMatchObject({ code: 'E_QEMU_EXITED' });
    await expect(guest.exec('sleep 60')).rejects.toMatchObject({ code: 'E_QEMU_EXITED' });
    await expect(guest.machine.died).rejects.toMatchObject({ code: 'E_QEMU_EXITED' });
  });
});
