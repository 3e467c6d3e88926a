// The target's side of the initrd assembly: the real script run by the host's sh (with GNU cpio, as busybox's stands in
// on a guest), and a scripted guest for the failures a target can report, hang on or die during.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraError } from '../../harness/core/errors.ts';
import type { ExecOptions, ExecResult } from '../../harness/guest/guest.ts';
import { assembleInitrdCommand, assembleInitrdOnTarget, type InitrdLayout } from '../../harness/deploy/initrd-assembly.ts';
import { readCpio, writeGzippedCpio } from '../../harness/images/cpio.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';
import { rejectionOf } from '../fakes/rejection.ts';

const RELEASE = '6.1.0-99-rt-arm64';
let dir: string;

/** A target whose shell is the host's: the assembly script runs for real, on local paths. */
const hostShell = {
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const started = Date.now();
    const result = await execa('sh', ['-c', command], { reject: false, timeout: options.timeoutMs, cancelSignal: options.signal });
    return { command, code: result.exitCode ?? null, signal: result.signal, stdout: result.stdout, stderr: result.stderr, durationMs: Date.now() - started };
  },
};

async function layoutWithPieces(name: string): Promise<InitrdLayout & { base: Buffer }> {
  const root = join(dir, name);
  const treeDir = join(root, 'initrd-root');
  const moduleDir = join(treeDir, 'lib/modules', RELEASE);
  await mkdir(join(moduleDir, 'kernel/drivers'), { recursive: true });
  await mkdir(join(moduleDir, 'extra'), { recursive: true });
  await writeFile(join(moduleDir, 'pilot-modules.load'), 'kernel/drivers/virtio_blk.ko\n');
  await writeFile(join(moduleDir, 'kernel/drivers/virtio_blk.ko'), Buffer.from('\x7fELF virtio_blk'));
  await writeFile(join(moduleDir, 'extra/qcom_pas_sim.ko'), Buffer.from('\x7fELF qcom_pas_sim'));
  const basePath = join(root, 'base-initramfs.cpio.gz');
  await writeGzippedCpio(basePath, [
    { type: 'dir', path: 'bin', mode: 0o755 },
    { type: 'file', path: 'init', mode: 0o755, source: Buffer.from('#!/bin/busybox sh\n') },
  ]);
  return { treeDir, basePath, outputPath: join(root, 'initrd.cpio.gz'), base: await readFile(basePath) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pilot-remote-initrd-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('assembleInitrdOnTarget on a real shell', () => {
  it('writes the base archive followed by a gzip cpio of the tree, and reports the sha256 and size of what it wrote', async () => {
    const layout = await layoutWithPieces('ok');
    const initrd = await assembleInitrdOnTarget(hostShell, layout, { timeoutMs: 30_000 });
    const written = await readFile(layout.outputPath);
    expect(initrd.remotePath).toBe(layout.outputPath);
    expect(initrd.bytes).toBe(written.length);
    expect(initrd.sha256).toBe(createHash('sha256').update(written).digest('hex'));
    // The base goes first, byte for byte: it holds /init, which must be the one the new kernel runs.
    expect(written.subarray(0, layout.base.length).equals(layout.base)).toBe(true);
    const modules = readCpio(written.subarray(layout.base.length));
    const byPath = new Map(modules.map((member) => [member.path, member]));
    expect(byPath.get(`lib/modules/${RELEASE}/pilot-modules.load`)?.data.toString()).toBe('kernel/drivers/virtio_blk.ko\n');
    expect(byPath.get(`lib/modules/${RELEASE}/extra/qcom_pas_sim.ko`)?.data.toString()).toBe('\x7fELF qcom_pas_sim');
    expect(byPath.get(`lib/modules/${RELEASE}/kernel/drivers/virtio_blk.ko`)?.data.toString()).toBe('\x7fELF virtio_blk');
    // Parents before children, or the kernel's unpacker has no folder to put a module in.
    const paths = modules.map((member) => member.path);
    expect(paths.indexOf(`lib/modules/${RELEASE}`)).toBeLessThan(paths.indexOf(`lib/modules/${RELEASE}/pilot-modules.load`));
    // The pieces are gone once the initrd exists: the target's tmpfs is its RAM.
    const left = await execa('ls', ['-A', join(dir, 'ok')]);
    expect(left.stdout.split('\n')).toEqual(['initrd.cpio.gz']);
  });

  it('fails with E_INITRD_ASSEMBLE, naming the missing base, and leaves no output behind', async () => {
    const layout = await layoutWithPieces('no-base');
    await rm(layout.basePath);
    const error = await rejectionOf(assembleInitrdOnTarget(hostShell, layout, { timeoutMs: 30_000 }), InfraError);
    expect(error.code).toBe('E_INITRD_ASSEMBLE');
    expect(error.message).toContain(`no base initramfs at ${layout.basePath}`);
    expect(error.evidence.join('\n')).toContain('pilot-initrd-error');
    const left = await execa('ls', ['-A', join(dir, 'no-base')]);
    expect(left.stdout.split('\n')).toEqual(['initrd-root']);
  });

  it('refuses a tree without lib/modules, which would give the new kernel no modules', async () => {
    const layout = await layoutWithPieces('no-modules');
    await rm(join(layout.treeDir, 'lib'), { recursive: true });
    const error = await rejectionOf(assembleInitrdOnTarget(hostShell, layout, { timeoutMs: 30_000 }), InfraError);
    expect(error.code).toBe('E_INITRD_ASSEMBLE');
    expect(error.message).toContain('no lib/modules in');
  });
});

describe('assembleInitrdOnTarget on a scripted guest', () => {
  const layout: InitrdLayout = { treeDir: '/tmp/pilot-deploy/initrd-root', basePath: '/tmp/pilot-deploy/base.cpio.gz', outputPath: '/tmp/pilot-deploy/initrd.cpio.gz' };
  const command = assembleInitrdCommand(layout);

  it("quotes the target's own words when a step fails, e.g. a busybox without cpio -o", async () => {
    const guest = new FakeGuest().onExec(command, {
      code: 1,
      stderr: "cpio: unrecognized option '-o'\nBusyBox v1.35.0 multi-call binary.\npilot-initrd-error: cpio -o -H newc in /tmp/pilot-deploy/initrd-root\n",
    });
    const error = await rejectionOf(assembleInitrdOnTarget(guest, layout), InfraError);
    expect(error.code).toBe('E_INITRD_ASSEMBLE');
    expect(error.message).toMatch(/status 1: cpio -o -H newc in \/tmp\/pilot-deploy\/initrd-root$/);
    expect(error.evidence).toContain("cpio: unrecognized option '-o'");
  });

  it('refuses a success that does not report the hash', async () => {
    const guest = new FakeGuest().onExec(command, { code: 0, stdout: 'something else\n' });
    const error = await rejectionOf(assembleInitrdOnTarget(guest, layout), InfraError);
    expect(error.code).toBe('E_INITRD_ASSEMBLE');
    expect(error.evidence).toContain('something else');
  });

  it('bounds a hung target by its timeout, and the exec is given the time left before the deadline', async () => {
    const guest = new FakeGuest().onExec(command, { hang: true });
    const started = Date.now();
    const error = await rejectionOf(assembleInitrdOnTarget(guest, layout, { timeoutMs: 60_000, deadline: Date.now() + 200 }), InfraError);
    expect(error.code).toBe('E_EXEC_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(guest.execCalls[0]!.options.timeoutMs).toBeLessThanOrEqual(200);
  });

  it('does not start once the deadline has passed', async () => {
    const guest = new FakeGuest();
    const error = await rejectionOf(assembleInitrdOnTarget(guest, layout, { deadline: Date.now() - 1 }), InfraError);
    expect(error.code).toBe('E_TIMEOUT');
    expect(guest.execCalls).toHaveLength(0);
  });

  it("stops at the machine's death and at an abort, whichever comes first", async () => {
    const dying = new FakeGuest().onExec(command, { hang: true });
    setTimeout(() => dying.machine.die(), 50);
    const death = await rejectionOf(assembleInitrdOnTarget(dying, layout, { dies: [dying.machine.died] }), InfraError);
    expect(death.code).toBe('E_QEMU_EXITED');

    const controller = new AbortController();
    const aborted = new FakeGuest().onExec(command, { hang: true });
    setTimeout(() => controller.abort(new InfraError('E_TEST_ABORT', 'the run was interrupted')), 50);
    const abort = await rejectionOf(assembleInitrdOnTarget(aborted, layout, { signal: controller.signal }), InfraError);
    expect(abort.code).toBe('E_TEST_ABORT');
  });
});
