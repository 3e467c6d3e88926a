// The JIT flush pilot does at a kexec: the remote-protocol client against stand-in stubs for the odd cases, and against the
// installed QEMU, whose own monitor counts the flush.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { gdbPacket } from '../../harness/machine/gdb-remote.ts';
import { flushTranslations } from '../../harness/machine/translation-flush.ts';
import type { PilotError } from '../../harness/core/errors.ts';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pilot-flush-test-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A stand-in gdbstub: checks every packet's checksum and answers through `answer` (undefined: stay silent). */
async function standInStub(path: string, answer: (packet: string) => string | undefined, onBreak?: (socket: Socket) => void): Promise<{ seen: string[]; acks: () => number }> {
  const seen: string[] = [];
  let acks = 0;
  const server: Server = createServer((socket) => {
    socket.setEncoding('latin1');
    socket.write(gdbPacket('T02thread:01;'));
    let buffered = '';
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (;;) {
        if (buffered.startsWith('+')) {
          acks += 1;
          buffered = buffered.slice(1);
          continue;
        }
        if (buffered.startsWith('\x03')) {
          seen.push('<break>');
          buffered = buffered.slice(1);
          onBreak?.(socket);
          continue;
        }
        const match = /^\$([^#]*)#([0-9a-f]{2})/.exec(buffered);
        if (!match) break;
        buffered = buffered.slice(match[0].length);
        expect(gdbPacket(match[1]!)).toBe(match[0]);
        seen.push(match[1]!);
        socket.write('+');
        const reply = answer(match[1]!);
        if (reply !== undefined) socket.write(gdbPacket(reply));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { seen, acks: () => acks };
}

const QEMU_LIKE = (packet: string) => (packet === 's' ? 'T05thread:01;' : packet === 'D' ? 'OK' : '');

describe('flushTranslations', () => {
  it('attaches, steps once with interrupts on, detaches, and acknowledges every packet', async () => {
    const path = join(await tempDir(), 'gdb.sock');
    const stub = await standInStub(path, QEMU_LIKE);
    const ms = await flushTranslations({ path }, { deadline: Date.now() + 5_000 });
    expect(ms).toBeGreaterThan(0);
    expect(stub.seen).toEqual(['Qqemu.sstepbits=1', 's', 'D']);
    // The attach stop reply, the sstepbits answer, the step's stop reply, the detach's OK.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stub.acks()).toBe(4);
  });

  it('breaks in when a step does not answer, then detaches', async () => {
    const path = join(await tempDir(), 'gdb.sock');
    const stub = await standInStub(path, (packet) => (packet === 's' ? undefined : QEMU_LIKE(packet)), (socket) => socket.write(gdbPacket('T02thread:01;')));
    await flushTranslations({ path }, { deadline: Date.now() + 10_000 });
    expect(stub.seen).toEqual(['Qqemu.sstepbits=1', 's', '<break>', 'D']);
  });

  it('detaches on its way out when the stub answers out of protocol, and says so with E_GDB_REMOTE', async () => {
    const path = join(await tempDir(), 'gdb.sock');
    const stub = await standInStub(path, (packet) => (packet === 'D' ? 'E01' : QEMU_LIKE(packet)));
    const failure = (await flushTranslations({ path }, { deadline: Date.now() + 5_000 }).catch((error: unknown) => error)) as PilotError;
    expect(failure.code).toBe('E_GDB_REMOTE');
    expect(failure.message).toMatch(/'E01' to detach/);
    expect(stub.seen.at(-1)).toBe('D');
  });

  it('fails with E_GDB_REMOTE naming the socket when nothing listens', async () => {
    const path = join(await tempDir(), 'absent.sock');
    await expect(flushTranslations({ path }, { deadline: Date.now() + 2_000 })).rejects.toMatchObject({ code: 'E_GDB_REMOTE', message: expect.stringContaining(path) });
  });

  it("makes the installed QEMU drop every translation, by its monitor's own count, and leaves it running", async () => {
    const dir = await tempDir();
    const stub = join(dir, 'gdb.sock');
    const monitor = join(dir, 'monitor.sock');
    // No kernel: the CPU runs through empty memory, which is translated code all the same.
    const qemu: ResultPromise = execa('qemu-system-aarch64', ['-machine', 'virt', '-cpu', 'max', '-nodefaults', '-display', 'none', '-m', '64', '-monitor', `unix:${monitor},server=on,wait=off`, '-gdb', `unix:${stub},server=on,wait=off`], { reject: false });
    cleanups.push(async () => {
      qemu.kill();
      await qemu;
    });
    const counts = async () => {
      const text = await hmp(monitor, 'info jit');
      const flushes = /TB flush count\s+(\d+)/.exec(text);
      const status = await hmp(monitor, 'info status');
      return { flushes: Number(flushes?.[1]), running: /VM status: running/.test(status) };
    };
    await waitForSocket(monitor);
    const before = await counts();
    expect(before).toEqual({ flushes: 0, running: true });
    await flushTranslations({ path: stub }, { deadline: Date.now() + 10_000 });
    // The flush is queued to the vCPU, which runs it before its next guest instruction; on a loaded host the monitor can answer first.
    let after = await counts();
    for (let tries = 0; after.flushes === before.flushes && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await counts();
    }
    expect(after.flushes).toBeGreaterThan(before.flushes);
    expect(after.running).toBe(true);
  }, 30_000);
});

async function waitForSocket(path: string): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(path);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${path} never listened`);
}

/** One human-monitor command, its output up to the next prompt. */
function hmp(path: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let text = '';
    let sent = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (!sent && text.includes('(qemu)')) {
        sent = true;
        text = '';
        socket.write(`${command}\n`);
      } else if (sent && text.includes('(qemu)')) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.once('error', reject);
    setTimeout(() => reject(new Error(`no answer to ${command}`)), 5_000).unref();
  });
}
