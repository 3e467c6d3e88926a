// run --keep-failed and --gdb through the CLI on real machines: the printed ssh and gdb lines work, and Ctrl-C leaves nothing.
import { execa } from 'execa';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KeepRecord } from '../../harness/model/keep-record.ts';
import { artifactsBase, latestResults, startPilot } from './support/pilot-cli.ts';
import { alive, qemuChildrenOf, waitForOutput } from './support/processes.ts';

/** True when something accepts a TCP connection on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function failingScenario(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pilot-keep-'));
  const file = join(dir, 'never-matches.yaml');
  // A FAIL in about a second once booted: no kernel prints this line.
  await writeFile(file, 'name: never-matches\nprofiles: [el1]\nsteps:\n  - expect-dmesg:\n      since: boot\n      contains: ["no kernel prints this line"]\n      within: 1s\n');
  return file;
}

describe('pilot run --keep-failed', { timeout: 300_000 }, () => {
  it('keeps a FAILed run\'s machine: the printed ssh line and pilot shell reach it, and Ctrl-C leaves no QEMU, no port, the key as it was', async () => {
    const base = await artifactsBase();
    const child = startPilot(['run', '--keep-failed', '--keep-for', '5m', await failingScenario(), '--artifacts', base]);
    let output = '';
    child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      expect(await waitForOutput(() => output, /pilot: waiting; Ctrl-C/, 240_000), output).toBe(true);
      expect(output).toMatch(/✘ FAIL {2}never-matches@el1/);
      const run = (await latestResults(base)).runs[0]!;
      const record = JSON.parse(await readFile(join(run.artifactsDir, 'keep.json'), 'utf8')) as KeepRecord;
      expect(await qemuChildrenOf(child.pid!)).toEqual([record.pid]);
      const keyBefore = await stat(record.privateKeyPath);

      // The exact line pilot printed, with a command after it.
      const sshLine = /^ {4}(ssh -i \S+ -p \d+ -o StrictHostKeyChecking=no -o UserKnownHostsFile=\/dev\/null -o LogLevel=ERROR -o IdentitiesOnly=yes root@127\.0\.0\.1)$/m.exec(output)?.[1];
      expect(sshLine, output).toBeDefined();
      expect(sshLine).toContain(`-p ${record.sshPort} `);
      const viaSsh = await execa('sh', ['-c', `${sshLine} uname -r`], { reject: false, env: { HOME: await mkdtemp(join(tmpdir(), 'pilot-home-')) } });
      expect(viaSsh.exitCode, viaSsh.stderr).toBe(0);
      expect(viaSsh.stdout.trim()).toBe(run.kernelRelease);
      expect(output).toMatch(new RegExp(`^ {4}pilot shell never-matches@el1 --artifacts ${base}$`, 'm'));
      const viaShell = await startPilot(['shell', 'never-matches@el1', '--artifacts', base, '--', 'cat', '/proc/sys/kernel/osrelease']);
      expect(viaShell.exitCode, viaShell.all).toBe(0);
      expect(viaShell.stdout.trim()).toBe(run.kernelRelease);

      child.kill('SIGINT');
      const ended = await child;
      // Ctrl-C ends the wait, not the verdict: the run FAILed.
      expect(ended.exitCode, ended.all).toBe(1);
      expect(alive(record.pid), `QEMU ${record.pid} still running`).toBe(false);
      expect(await listening(record.sshPort), `port ${record.sshPort} still open`).toBe(false);
      const after = JSON.parse(await readFile(join(run.artifactsDir, 'keep.json'), 'utf8')) as KeepRecord;
      expect(after.ended?.why).toBe('interrupted: SIGINT received');
      const keyAfter = await stat(record.privateKeyPath);
      expect([keyAfter.mode, keyAfter.size, keyAfter.mtimeMs]).toEqual([keyBefore.mode, keyBefore.size, keyBefore.mtimeMs]);
      const refused = await startPilot(['shell', 'never-matches@el1', '--artifacts', base]);
      expect(refused.exitCode).toBe(2);
      expect(refused.all).toMatch(/E_SHELL_MACHINE_GONE: the machine kept for never-matches@el1 is gone: interrupted: SIGINT received/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('pilot run --gdb', { timeout: 300_000 }, () => {
  it('serves a gdbstub on 127.0.0.1 that the printed gdb command reads the pc from, and Ctrl-C leaves no QEMU and no port', async () => {
    const base = await artifactsBase();
    const child = startPilot(['run', '--gdb', 'test/fixtures/integration/long-sleep.yaml', '--artifacts', base]);
    let output = '';
    child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      expect(await waitForOutput(() => output, /step 1\/1 .*sleep 600/, 240_000), output).toBe(true);
      const announced = /gdbstub on 127\.0\.0\.1:(\d+): (gdb-multiarch .*)$/m.exec(output);
      expect(announced, output).not.toBeNull();
      const port = Number(announced![1]);
      expect(announced![2]).toMatch(new RegExp(`-ex 'target remote 127\\.0\\.0\\.1:${port}'$`));
      const qemus = await qemuChildrenOf(child.pid!);
      expect(qemus).toHaveLength(1);
      const cmdline = await readFile(`/proc/${qemus[0]}/cmdline`, 'utf8');
      expect(cmdline.split('\0')).toContain(`tcp:127.0.0.1:${port}`);

      const gdb = await execa('sh', ['-c', `${announced![2]} -batch -ex 'info registers pc'`], { reject: false });
      expect(gdb.exitCode, gdb.stderr).toBe(0);
      expect(gdb.stdout).toMatch(/^pc\s+0x[0-9a-f]{8,16}\b/m);
      // gdb detached and the guest runs on: the step is still sleeping, nothing failed.
      expect(output).not.toMatch(/FAIL|ERROR/);

      child.kill('SIGINT');
      const ended = await child;
      expect(ended.exitCode, ended.all).toBe(130);
      expect(alive(qemus[0]!), `QEMU ${qemus[0]} still running`).toBe(false);
      expect(await listening(port), `gdbstub port ${port} still open`).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
