// pilot shell's lookup of a kept run, and its refusals: never kept, ended, QEMU gone, nothing on the port.
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KeepRecord } from '../../harness/model/keep-record.ts';
import { checkKeptMachineUp, findKeptRun } from '../../harness/runner/find-kept-machine.ts';

const record: KeepRecord = {
  run: 'never@el1',
  pid: 999_999,
  pilotPid: 999_998,
  host: '127.0.0.1',
  sshPort: 1,
  user: 'root',
  privateKeyPath: '/cache/ssh/id_ed25519',
  keptAt: '2026-12-07T01:00:00.000Z',
  until: '2026-12-07T01:30:00.000Z',
};

async function artifacts(runs: Record<string, Record<string, KeepRecord | undefined>>): Promise<string> {
  const base = await mkdtemp(join(tmpdir(), 'pilot-shell-'));
  for (const [folder, inside] of Object.entries(runs)) {
    for (const [id, kept] of Object.entries(inside)) {
      await mkdir(join(base, folder, id), { recursive: true });
      if (kept) await writeFile(join(base, folder, id, 'keep.json'), JSON.stringify(kept));
    }
  }
  return base;
}

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  throw new Error('expected a refusal');
}

describe('findKeptRun', () => {
  it('finds a run by id under latest, or in the newest timestamped folder that kept it', async () => {
    const base = await artifacts({ '20261207-010000': { 'never@el1': { ...record, pid: 1 } }, '20261207-020000': { 'never@el1': undefined, 'other@el1': undefined } });
    await symlink('20261207-020000', join(base, 'latest'));
    const found = await findKeptRun('never@el1', base);
    expect(found.dir).toBe(join(base, '20261207-010000', 'never@el1'));
    expect(found.record.pid).toBe(1);
  });

  it('takes the run folder itself', async () => {
    const base = await artifacts({ '20261207-010000': { 'never@el1': record } });
    expect((await findKeptRun(join(base, '20261207-010000', 'never@el1'), '/nonexistent')).record.run).toBe('never@el1');
  });

  it('refuses a run that was not kept, saying how one is', async () => {
    const base = await artifacts({ '20261207-010000': { 'never@el1': undefined } });
    const refusal = await codeOf(findKeptRun('never@el1', base));
    expect(refusal.code).toBe('E_SHELL_NOT_KEPT');
    expect(refusal.message).toBe(`no run 'never@el1' with a keep.json under ${base}: that run's machine was not kept`);
    const folder = await codeOf(findKeptRun(join(base, '20261207-010000', 'never@el1'), base));
    expect(folder.message).toMatch(/never@el1 has no keep\.json: that run's machine was not kept/);
  });
});

describe('checkKeptMachineUp', () => {
  it('refuses a machine that pilot ended, naming why', async () => {
    const refusal = await codeOf(checkKeptMachineUp({ dir: '/a', record: { ...record, ended: { at: '2026-12-07T01:05:00.000Z', why: 'interrupted: SIGINT received' } } }));
    expect(refusal).toEqual({ code: 'E_SHELL_MACHINE_GONE', message: 'the machine kept for never@el1 is gone: interrupted: SIGINT received (at 2026-12-07T01:05:00.000Z)' });
  });

  it('refuses when the pid is no QEMU (pilot was killed before it could say so)', async () => {
    const refusal = await codeOf(checkKeptMachineUp({ dir: '/a', record: { ...record, pid: process.pid } }));
    expect(refusal.code).toBe('E_SHELL_MACHINE_GONE');
    expect(refusal.message).toMatch(new RegExp(`QEMU \\(pid ${process.pid}\\) is no longer running`));
  });

  it('accepts a live QEMU whose SSH port answers, and refuses one whose port does not', async () => {
    // A stand-in: sleep under the name qemu-system-aarch64, as /proc/<pid>/cmdline shows it.
    const dir = await mkdtemp(join(tmpdir(), 'pilot-fake-qemu-'));
    const fake = join(dir, 'qemu-system-aarch64');
    await symlink('/bin/sleep', fake);
    const child = spawn(fake, ['30'], { stdio: 'ignore' });
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      await expect(checkKeptMachineUp({ dir, record: { ...record, pid: child.pid!, sshPort: port } })).resolves.toBeUndefined();
      server.close();
      await new Promise((resolve) => server.once('close', resolve));
      const refusal = await codeOf(checkKeptMachineUp({ dir, record: { ...record, pid: child.pid!, sshPort: port } }));
      expect(refusal).toEqual({ code: 'E_SHELL_MACHINE_GONE', message: `the machine kept for never@el1 is gone: nothing answers on 127.0.0.1:${port}, its SSH port` });
    } finally {
      child.kill('SIGKILL');
      server.close();
    }
  });
});
