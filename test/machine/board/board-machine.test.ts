// The board backend without a board: real host commands and a loopback port nobody listens on. What it reports when a
// board never answers, and that it powers off and kills its console on every way out.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, AssertionFailure, InfraError } from '../../../harness/core/errors.ts';
import { parseBoardFile } from '../../../harness/machine/board/board-file.ts';
import { BoardMachine } from '../../../harness/machine/board/board-machine.ts';
import { freeLoopbackPort } from '../../../harness/machine/free-port.ts';
import { rejectionOf } from '../../fakes/rejection.ts';

let dir: string;
const env = { FAKE_BOARD_KEY: ssh2.utils.generateKeyPairSync('ed25519').private };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pilot-board-machine-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A board file in its own folder; the console records its shell's pid so the test can see it die. */
async function fakeBoard(name: string, lines: string[]) {
  const boardDir = join(dir, name);
  const artifactsDir = join(boardDir, 'artifacts');
  await mkdir(artifactsDir, { recursive: true });
  const port = await freeLoopbackPort();
  const text = ['name: fake', 'host: 127.0.0.1', `port: ${port}`, 'user: root', 'key-env: FAKE_BOARD_KEY', 'profile: kvm-el2', ...lines, ''].join('\n');
  await writeFile(join(boardDir, 'board.yaml'), text);
  const board = await parseBoardFile(text, join(boardDir, 'board.yaml'), { env });
  return { boardDir, artifactsDir, port, machine: new BoardMachine(board) };
}

const consoleRecordingPid = 'console: "echo $$ > console.pid; echo hello from the console; exec sleep 300"';

describe('BoardMachine without an answering board', () => {
  it('is E_BOARD_UNREACHABLE naming host, port, user and the last attempt, then powers off and kills its console', async () => {
    const { boardDir, artifactsDir, port, machine } = await fakeBoard('unreachable', [
      'power-on: echo relay 3 closed',
      'power-off: echo off > powered-off',
      consoleRecordingPid,
      'boot-timeout: 3s',
    ]);
    const phases: string[] = [];
    const started = Date.now();
    const error = await rejectionOf(
      machine.start({ artifactsDir, signal: new AbortController().signal, deadline: Date.now() + 60_000, onPhase: (phase) => phases.push(phase) }),
      InfraError,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(error.code).toBe('E_BOARD_UNREACHABLE');
    expect(error.message).toContain(`board fake (root@127.0.0.1:${port}) never answered SSH`);
    expect(error.message).toMatch(new RegExp(`last tried \\(attempt ([2-9]|\\d\\d+)\\): ssh connect: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
    expect(error.evidence).toContain('hello from the console');
    expect(phases).toEqual(['power-on', 'kernel-boot']);

    expect(await readFile(join(boardDir, 'powered-off'), 'utf8')).toBe('off\n');
    const consolePid = Number(await readFile(join(boardDir, 'console.pid'), 'utf8'));
    expect(alive(consolePid)).toBe(false);
    expect(await readFile(join(artifactsDir, 'serial.log'), 'utf8')).toBe('hello from the console\n');
    const log = await readFile(join(artifactsDir, 'board.log'), 'utf8');
    expect(log).toContain('power-on: exited 0');
    expect(log).toContain('relay 3 closed');
    expect(log).toContain('power-off: exited 0');
  });

  it('ends the wait at once when the console command exits (E_BOARD_CONSOLE_EXIT), with its last words', async () => {
    const { boardDir, artifactsDir, machine } = await fakeBoard('console-exit', [
      'power-off: echo off > powered-off',
      'console: "sleep 1; echo lost the serial adapter >&2; exit 3"',
      'boot-timeout: 60s',
    ]);
    const started = Date.now();
    const error = await rejectionOf(machine.start({ artifactsDir, signal: new AbortController().signal, deadline: Date.now() + 60_000 }), InfraError);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(error.code).toBe('E_BOARD_CONSOLE_EXIT');
    expect(error.message).toContain('exited with status 3');
    expect(error.evidence).toContain('lost the serial adapter');
    expect(await readFile(join(boardDir, 'powered-off'), 'utf8')).toBe('off\n');
  });

  it('reports a failing power-on with its status and output, and never tries SSH', async () => {
    const { boardDir, artifactsDir, machine } = await fakeBoard('power-on-fails', [
      'power-on: "echo pdu: outlet 3 unknown >&2; exit 4"',
      'power-off: echo off > powered-off',
      consoleRecordingPid,
    ]);
    const error = await rejectionOf(machine.start({ artifactsDir, signal: new AbortController().signal, deadline: Date.now() + 60_000 }), InfraError);
    expect(error.code).toBe('E_BOARD_COMMAND');
    expect(error.message).toBe(`power-on command 'echo pdu: outlet 3 unknown >&2; exit 4' exited with status 4: pdu: outlet 3 unknown`);
    expect(await readFile(join(artifactsDir, 'board.log'), 'utf8')).not.toContain('ssh:');
    expect(alive(Number(await readFile(join(boardDir, 'console.pid'), 'utf8')))).toBe(false);
    expect(await readFile(join(boardDir, 'powered-off'), 'utf8')).toBe('off\n');
  });

  it('kills a power-on command that outlives its power-timeout', async () => {
    const { artifactsDir, machine } = await fakeBoard('power-on-hangs', ['power-on: "sleep 300"', 'power-timeout: 1s']);
    const error = await rejectionOf(machine.start({ artifactsDir, signal: new AbortController().signal, deadline: Date.now() + 60_000 }), InfraError);
    expect(error.code).toBe('E_BOARD_COMMAND');
    expect(error.message).toBe(`power-on command 'sleep 300' did not finish within 1.0 s`);
  });

  it('gives up at once on abort and still cleans up', async () => {
    const { boardDir, artifactsDir, machine } = await fakeBoard('aborted', ['power-off: echo off > powered-off', consoleRecordingPid, 'boot-timeout: 60s']);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1500);
    const started = Date.now();
    await rejectionOf(machine.start({ artifactsDir, signal: controller.signal, deadline: Date.now() + 60_000 }), AbortedError);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(alive(Number(await readFile(join(boardDir, 'console.pid'), 'utf8')))).toBe(false);
    expect(await readFile(join(boardDir, 'powered-off'), 'utf8')).toBe('off\n');
  });

  describe('with bootloader: u-boot and a console', () => {
    // What a U-Boot board's console shows when the kernel on its partition panics: banner, panic, reset, banner again.
    const bootLoop = 'console: "echo \'U-Boot 2023.01+dfsg-2 (Jun 22 2026)\'; sleep 0.3; echo \'[    2.9] Kernel panic - not syncing: VFS: Unable to mount root fs\'; echo \'---[ end Kernel panic - not syncing: VFS ]---\'; echo \'U-Boot 2023.01+dfsg-2 (Jun 22 2026)\'; exec sleep 300"';

    it('ends the first boot at once on a kernel panic, with the console as evidence, instead of waiting out boot-timeout', async () => {
      const { boardDir, artifactsDir, machine } = await fakeBoard('uboot-panic', ['bootloader: u-boot', 'power-on: sleep 0.2', 'power-off: echo off > powered-off', bootLoop, 'boot-timeout: 60s']);
      const started = Date.now();
      const error = await rejectionOf(machine.start({ artifactsDir, signal: new AbortController().signal, deadline: Date.now() + 60_000 }), AssertionFailure);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(error.code).toBe('F_KERNEL_PANIC');
      expect(error.evidence.join('\n')).toContain('VFS: Unable to mount root fs');
      expect(await readFile(join(boardDir, 'powered-off'), 'utf8')).toBe('off\n');
    });

    it('does not judge banners it cannot place: without power-on, or without bootloader: u-boot, the wait runs to boot-timeout', async () => {
      for (const [name, lines] of [
        ['uboot-no-power-on', ['bootloader: u-boot']],
        ['no-bootloader', ['power-on: sleep 0.2']],
      ] as const) {
        const { artifactsDir, machine } = await fakeBoard(name, [...lines, bootLoop, 'boot-timeout: 3s']);
        const error = await rejectionOf(machine.start({ artifactsDir, signal: new AbortController().signal, deadline: Date.now() + 60_000 }), InfraError);
        expect(error.code, name).toBe('E_BOARD_UNREACHABLE');
      }
    });
  });
});
