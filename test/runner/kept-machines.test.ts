// The machines --keep-failed keeps: keep.json as written, the access lines as printed, and every way they end.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KeptMachine } from '../../harness/machine/machine.ts';
import type { KeepRecord } from '../../harness/model/keep-record.ts';
import type { RunResult } from '../../harness/model/results.ts';
import { KeptMachines, keepsRun } from '../../harness/runner/kept-machines.ts';

/** A machine that ends when stopped, or when the test says its guest powered off. */
function fakeMachine(gdbPort?: number): KeptMachine & { powerOff(): void; stops: number } {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const machine = {
    pid: 4242,
    sshPort: 40022,
    privateKeyPath: '/cache/ssh/id_ed25519',
    gdbPort,
    ended,
    stops: 0,
    powerOff: () => end(),
    stop: async () => {
      machine.stops += 1;
      end();
      await ended;
    },
  };
  return machine;
}

async function failedRun(id = 'never@el1'): Promise<RunResult> {
  const artifactsDir = await mkdtemp(join(tmpdir(), 'pilot-keep-'));
  return {
    id,
    scenario: 'never',
    file: 'never.yaml',
    profile: 'el1',
    status: 'fail',
    startedAt: '2026-12-07T01:00:00.000Z',
    durationMs: 1000,
    phases: [],
    steps: [],
    artifactsDir,
    failure: { code: 'F_DMESG_MISSING', message: 'no line', evidence: [] },
  };
}

async function keepJson(run: RunResult): Promise<KeepRecord> {
  return JSON.parse(await readFile(join(run.artifactsDir, 'keep.json'), 'utf8')) as KeepRecord;
}

const T0 = Date.parse('2026-12-07T01:00:00.000Z');

describe('keepsRun', () => {
  it('keeps a FAIL or an ERROR, never a pass, a skip or an interrupted run', () => {
    expect(keepsRun({ status: 'fail' })).toBe(true);
    expect(keepsRun({ status: 'error', failure: { code: 'E_SSH_LOST', message: '', evidence: [] } })).toBe(true);
    expect(keepsRun({ status: 'pass' })).toBe(false);
    expect(keepsRun({ status: 'skip' })).toBe(false);
    expect(keepsRun({ status: 'error', failure: { code: 'E_ABORTED', message: '', evidence: [] } })).toBe(false);
  });
});

describe('KeptMachines', () => {
  it('writes keep.json with the pid, the port, the key and the time limit', async () => {
    const keeper = new KeptMachines({ forMs: 30 * 60_000, now: () => T0 });
    const run = await failedRun();
    await keeper.add(run, fakeMachine(41234));
    expect(await keepJson(run)).toEqual({
      run: 'never@el1',
      pid: 4242,
      pilotPid: process.pid,
      host: '127.0.0.1',
      sshPort: 40022,
      user: 'root',
      privateKeyPath: '/cache/ssh/id_ed25519',
      gdbPort: 41234,
      keptAt: '2026-12-07T01:00:00.000Z',
      until: '2026-12-07T01:30:00.000Z',
    });
    await keeper.release('test over');
  });

  it('prints pilot shell and an ssh line that needs no known_hosts', async () => {
    const plain = new KeptMachines({ forMs: 60_000 });
    const run = await failedRun();
    const record = await plain.add(run, fakeMachine());
    expect(plain.accessLines(record)).toEqual([
      'pilot shell never@el1',
      'ssh -i /cache/ssh/id_ed25519 -p 40022 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o IdentitiesOnly=yes root@127.0.0.1',
    ]);
    const elsewhere = new KeptMachines({ forMs: 60_000, shellArguments: ['--artifacts', '/tmp/my artifacts'] });
    expect(elsewhere.accessLines(record)[0]).toBe("pilot shell never@el1 --artifacts '/tmp/my artifacts'");
    await plain.release('test over');
  });

  it('holds until the signal aborts, then release stops every machine and says why in keep.json', async () => {
    const keeper = new KeptMachines({ forMs: 60_000 });
    const runs = [await failedRun('a@el1'), await failedRun('b@el1')];
    const machines = [fakeMachine(), fakeMachine()];
    for (const [i, run] of runs.entries()) await keeper.add(run, machines[i]!);
    const controller = new AbortController();
    let held = false;
    const holding = keeper.hold(controller.signal).then(() => (held = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(held).toBe(false);
    controller.abort();
    await holding;
    await keeper.release('interrupted: SIGINT received');
    expect(machines.map((machine) => machine.stops)).toEqual([1, 1]);
    expect(keeper.live).toBe(0);
    for (const run of runs) expect((await keepJson(run)).ended?.why).toBe('interrupted: SIGINT received');
  });

  it('ends a machine when --keep-for passes, and stops holding once none is left', async () => {
    const keeper = new KeptMachines({ forMs: 50 });
    const run = await failedRun();
    const machine = fakeMachine();
    await keeper.add(run, machine);
    await keeper.hold(new AbortController().signal);
    expect(machine.stops).toBe(1);
    expect((await keepJson(run)).ended?.why).toBe('--keep-for 50 ms passed');
    await keeper.release('pilot ended');
    expect((await keepJson(run)).ended?.why).toBe('--keep-for 50 ms passed');
  });

  it('records a machine that went away on its own', async () => {
    const keeper = new KeptMachines({ forMs: 60_000 });
    const run = await failedRun();
    const machine = fakeMachine();
    await keeper.add(run, machine);
    machine.powerOff();
    await keeper.hold(new AbortController().signal);
    expect((await keepJson(run)).ended?.why).toMatch(/exited on its own/);
  });
});
