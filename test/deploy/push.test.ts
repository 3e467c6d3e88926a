// Real-guest tests of pushFile and pushTree: one el1 QEMU, booted once, receives files and trees over its SSH connection.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraError } from '../../harness/core/errors.ts';
import { pushFile, pushTree } from '../../harness/deploy/push.ts';
import type { TransferProgress } from '../../harness/deploy/transfer-progress.ts';
import { SshGuest } from '../../harness/guest/ssh-guest.ts';
import { buildImages } from '../../harness/images/build.ts';
import type { RunningMachine } from '../../harness/machine/machine.ts';
import { PROFILES } from '../../harness/model/profile.ts';
import { QemuMachine } from '../../harness/machine/qemu-machine.ts';

let workDir: string;
let running: RunningMachine;
let guest: SshGuest;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pilot-push-'));
  const images = await buildImages();
  const machine = new QemuMachine({ profile: PROFILES.el1, images, soc: false });
  await mkdir(join(workDir, 'machine'));
  running = await machine.start({ artifactsDir: join(workDir, 'machine'), signal: new AbortController().signal, deadline: Date.now() + 300_000 });
  if (!(running.guest instanceof SshGuest)) throw new Error('the QEMU machine did not give an SshGuest');
  guest = running.guest;
}, 320_000);

afterAll(async () => {
  await running?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function remote(command: string): Promise<string> {
  // Right after a push is aborted, dropbear sometimes refuses the next exec request once ('Unable to exec'); not under test here.
  const result = await guest.exec(command, { timeoutMs: 30_000 }).catch(async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    return guest.exec(command, { timeoutMs: 30_000 });
  });
  expect(result.code, `${command}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

async function localFile(name: string, bytes: number): Promise<{ path: string; content: Buffer }> {
  const content = randomBytes(bytes);
  const path = join(workDir, name);
  await writeFile(path, content);
  return { path, content };
}

/** A stage that does what `act` says to the chunk holding byte `at` of the stream, once. */
function onceAt(at: number, act: (chunk: Buffer, offset: number) => Buffer | 'drop'): Transform {
  let seen = 0;
  let done = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const start = seen;
      seen += chunk.length;
      if (done || seen <= at) return callback(null, chunk);
      done = true;
      const outcome = act(chunk, at - start);
      if (outcome === 'drop') return callback();
      callback(null, outcome);
    },
  });
}

const dies = () => [running.died];

describe('pushFile', () => {
  it('stores the file at the path, with the host\'s sha256, and reports the sha256 it checked', async () => {
    const { path, content } = await localFile('blob.bin', 3 * 1024 * 1024 + 17);
    const result = await pushFile(guest, path, '/tmp/push/a/blob.bin', { dies: dies() });
    const sum = (await remote('sha256sum /tmp/push/a/blob.bin')).split(' ')[0];
    const { createHash } = await import('node:crypto');
    expect(sum).toBe(createHash('sha256').update(content).digest('hex'));
    expect(result).toMatchObject({ remotePath: '/tmp/push/a/blob.bin', bytes: content.length, sha256: sum, attempts: 1 });
    expect(await remote('ls /tmp/push/a')).toBe('blob.bin\n');
  });

  it('gives the same bytes with compression on', async () => {
    const { path, content } = await localFile('compress.bin', 1024 * 1024);
    await pushFile(guest, path, '/tmp/push/compressed.bin', { compress: true, dies: dies() });
    expect(await remote('wc -c < /tmp/push/compressed.bin')).toBe(`${content.length}\n`);
  });

  it('refuses a transfer whose bytes changed on the way, and leaves nothing at the final path', async () => {
    const { path } = await localFile('flipped.bin', 512 * 1024);
    const flip = onceAt(1000, (chunk, offset) => {
      const copy = Buffer.from(chunk);
      copy[offset] = copy[offset]! ^ 0xff;
      return copy;
    });
    const error = await pushFile(guest, path, '/tmp/push/flipped.bin', { fault: () => flip, dies: dies() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as InfraError).code).toBe('E_PUSH_CORRUPT');
    expect((error as InfraError).message).toMatch(/\/tmp\/push\/flipped\.bin arrived corrupted: sha256 [0-9a-f]{64} on the target, [0-9a-f]{64} on the host/);
    expect(await remote('ls -a /tmp/push')).not.toMatch(/flipped/);
  });

  it('keeps the previous file when a new push is corrupted', async () => {
    const first = await localFile('keep-1.bin', 4096);
    await pushFile(guest, first.path, '/tmp/push/keep.bin', { dies: dies() });
    const second = await localFile('keep-2.bin', 4096);
    const flip = () => onceAt(10, (chunk, offset) => Buffer.concat([chunk.subarray(0, offset), Buffer.from([chunk[offset]! ^ 1]), chunk.subarray(offset + 1)]));
    await expect(pushFile(guest, second.path, '/tmp/push/keep.bin', { fault: flip, dies: dies() })).rejects.toMatchObject({ code: 'E_PUSH_CORRUPT' });
    const { createHash } = await import('node:crypto');
    expect((await remote('sha256sum /tmp/push/keep.bin')).split(' ')[0]).toBe(createHash('sha256').update(first.content).digest('hex'));
  });

  it('starts again when the channel drops mid-push, and succeeds on the second attempt', async () => {
    const { path, content } = await localFile('retry.bin', 2 * 1024 * 1024);
    const attemptsSeen: number[] = [];
    const result = await pushFile(guest, path, '/tmp/push/retry.bin', {
      dies: dies(),
      fault: ({ attempt, channel }) => {
        attemptsSeen.push(attempt);
        return attempt === 1 ? onceAt(512 * 1024, (chunk) => (channel.close(), chunk)) : undefined;
      },
    });
    expect(attemptsSeen).toEqual([1, 2]);
    expect(result.attempts).toBe(2);
    expect(await remote('wc -c < /tmp/push/retry.bin')).toBe(`${content.length}\n`);
  });

  it('treats a stream cut short as a dropped connection, retried, not as corruption', async () => {
    const { path, content } = await localFile('short.bin', 64 * 1024);
    const result = await pushFile(guest, path, '/tmp/push/short.bin', {
      dies: dies(),
      fault: ({ attempt }) => (attempt === 1 ? onceAt(10, () => 'drop') : undefined),
    });
    expect(result.attempts).toBe(2);
    expect(await remote('wc -c < /tmp/push/short.bin')).toBe(`${content.length}\n`);
  });

  it('gives up with E_PUSH_FAILED and every attempt\'s reason when each one drops', async () => {
    const { path } = await localFile('doomed.bin', 1024 * 1024);
    const error = await pushFile(guest, path, '/tmp/push/doomed.bin', {
      dies: dies(),
      attempts: 2,
      fault: ({ channel }) => onceAt(100 * 1024, (chunk) => (channel.close(), chunk)),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_PUSH_FAILED' });
    expect((error as InfraError).evidence).toEqual([expect.stringMatching(/^attempt 1: the (channel closed|target did not receive the whole stream)/), expect.stringMatching(/^attempt 2: /)]);
    // A cut stream may leave its .pilot-part behind (the next push removes it); never a file at the final path.
    expect(await remote('ls -a /tmp/push')).not.toMatch(/^doomed\.bin$/m);
  });

  it('reports progress that only grows and ends at the file size', async () => {
    const { path, content } = await localFile('progress.bin', 8 * 1024 * 1024);
    const events: TransferProgress[] = [];
    await pushFile(guest, path, '/tmp/push/progress.bin', { dies: dies(), onProgress: (event) => events.push(event) });
    expect(events.length).toBeGreaterThan(1);
    for (let n = 1; n < events.length; n++) expect(events[n]!.sentBytes).toBeGreaterThanOrEqual(events[n - 1]!.sentBytes);
    expect(events.every((event) => event.sentBytes <= event.totalBytes && event.totalBytes === content.length)).toBe(true);
    expect(events.at(-1)).toMatchObject({ sentBytes: content.length, totalBytes: content.length, done: true });
    expect(events.filter((event) => event.done)).toHaveLength(1);
    expect(events.at(-1)!.bytesPerSecond).toBeGreaterThan(0);
  });

  it('stops at once when aborted', async () => {
    const { path } = await localFile('aborted.bin', 16 * 1024 * 1024);
    const controller = new AbortController();
    const pushing = pushFile(guest, path, '/tmp/push/aborted.bin', {
      dies: dies(),
      signal: controller.signal,
      onProgress: (event) => event.sentBytes > 1024 * 1024 && controller.abort(),
    });
    await expect(pushing).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(await remote('ls -a /tmp/push')).not.toMatch(/aborted\.bin$/m);
  });
});

describe('pushFile by HTTP from the host (QEMU user network)', () => {
  for (const compress of [false, true]) {
    it(`has the guest fetch the file from 10.0.2.2 and checks it as over SSH (compress: ${compress})`, async () => {
      const { path, content } = await localFile(`pulled-${compress}.bin`, 2 * 1024 * 1024 + 5);
      const events: number[] = [];
      const result = await pushFile({ exec: guest.exec.bind(guest), openStream: guest.openStream.bind(guest), hostAddress: running.hostAddress! }, path, `/tmp/push/pulled-${compress}.bin`, {
        dies: dies(),
        compress,
        onProgress: (event) => events.push(event.sentBytes),
      });
      expect(running.hostAddress).toBe('10.0.2.2');
      expect(result).toMatchObject({ lane: 'http', bytes: content.length, attempts: 1 });
      expect(result.fallback).toBeUndefined();
      expect(events.at(-1)).toBe(content.length);
      expect((await remote(`sha256sum /tmp/push/pulled-${compress}.bin`)).split(' ')[0]).toBe(createHash('sha256').update(content).digest('hex'));
    });
  }

  it('falls back to SSH, saying why, when the target cannot reach the host', async () => {
    const { path, content } = await localFile('unreachable.bin', 1024 * 1024 + 1);
    // The guest's own loopback: nothing listens there, so every fetch is refused at once.
    const result = await pushFile({ exec: guest.exec.bind(guest), openStream: guest.openStream.bind(guest), hostAddress: '127.0.0.1' }, path, '/tmp/push/unreachable.bin', { dies: dies() });
    expect(result.lane).toBe('ssh');
    expect(result.fallback).toMatch(/failed 3 times.*did not fetch the whole file from the host/);
    expect((await remote('sha256sum /tmp/push/unreachable.bin')).split(' ')[0]).toBe(createHash('sha256').update(content).digest('hex'));
  });
});

describe('pushTree', () => {
  let tree: string;

  beforeAll(async () => {
    tree = join(workDir, 'tree');
    await mkdir(join(tree, 'kernel/drivers/remoteproc'), { recursive: true });
    await mkdir(join(tree, 'extra'), { recursive: true });
    await writeFile(join(tree, 'modules.dep'), 'kernel/drivers/remoteproc/qcom_q6v5.ko:\n');
    await writeFile(join(tree, 'kernel/drivers/remoteproc/qcom_q6v5.ko'), randomBytes(200_000));
    await writeFile(join(tree, 'extra/qcom_pas_sim.ko'), randomBytes(70_001));
    await writeFile(join(tree, 'extra/run.sh'), '#!/bin/sh\necho ran\n');
    await chmod(join(tree, 'extra/run.sh'), 0o750);
    await symlink('extra/qcom_pas_sim.ko', join(tree, 'sim.ko'));
  });

  for (const compress of [false, true]) {
    it(`unpacks the tree with folders, modes and symlinks, every file checked (compress: ${compress})`, async () => {
      const target = `/tmp/tree-${compress}/lib/modules/6.1.0-test`;
      const events: TransferProgress[] = [];
      const result = await pushTree(guest, tree, target, { compress, dies: dies(), onProgress: (event) => events.push(event) });
      expect(result.attempts).toBe(1);
      const list = await remote(`cd ${target} && find . | sort && stat -c '%a %n' extra/run.sh && readlink sim.ko && sha256sum extra/qcom_pas_sim.ko sim.ko`);
      expect(list).toContain('./kernel/drivers/remoteproc/qcom_q6v5.ko\n');
      expect(list).toContain('./modules.dep\n');
      expect(list).toContain('750 extra/run.sh\n');
      expect(list).toContain('\nextra/qcom_pas_sim.ko\n');
      const sums = list.trim().split('\n').slice(-2).map((line) => line.split(' ')[0]);
      expect(sums[0]).toBe(sums[1]);
      expect(await remote(`sh ${target}/extra/run.sh`)).toBe('ran\n');
      expect(await remote(`ls -a /tmp/tree-${compress}/lib/modules`)).not.toMatch(/pilot-part/);
      expect(events.at(-1)).toMatchObject({ done: true, sentBytes: result.bytes, totalBytes: result.bytes });
    });
  }

  it('names the files that differ on the target and leaves the previous tree in place', async () => {
    const target = '/tmp/tree-corrupt/lib/modules/6.1.0-test';
    await pushTree(guest, tree, target, { dies: dies() });
    // Flip a byte in the middle of qcom_q6v5.ko's content: tar still unpacks, the check must catch it.
    const error = await pushTree(guest, tree, target, {
      dies: dies(),
      fault: () => onceAt(100_000 + 512 * 6, (chunk, offset) => {
        const copy = Buffer.from(chunk);
        copy[offset] = copy[offset]! ^ 0x01;
        return copy;
      }),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_PUSH_CORRUPT' });
    expect((error as InfraError).message).toMatch(/1 file\(s\) that differ .*: kernel\/drivers\/remoteproc\/qcom_q6v5\.ko$/);
    expect(await remote(`ls -a /tmp/tree-corrupt/lib/modules`)).toBe('.\n..\n6.1.0-test\n');
    expect(await remote(`cd ${target} && find . -type f | wc -l`)).toBe('4\n');
  });
});
