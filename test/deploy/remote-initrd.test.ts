// The target's side of the initrd assembly: the real script run by the host's sh, and a scripted guest for the failures
// a target can report, hang on or die during.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraError } from '../../harness/core/errors.ts';
import type { ExecOptions, ExecResult } from '../../harness/guest/guest.ts';
import { assembleInitrdCommand, assembleInitrdOnTarget, type InitrdLayout } from '../../harness/deploy/initrd-assembly.ts';
import { concatenatedSha256, writeModulesArchive } from '../../harness/deploy/modules-archive.ts';
import { readCpio, writeGzippedCpio, type CpioEntry } from '../../harness/images/cpio.ts';
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

/** A base initramfs and a modules archive written as the host writes them, and the layout that joins them. */
async function layoutWithPieces(name: string): Promise<InitrdLayout & { baseBytes: Buffer }> {
  const root = join(dir, name);
  await mkdir(root, { recursive: true });
  const entries: CpioEntry[] = [
    { type: 'dir', path: 'lib/modules', mode: 0o755 },
    { type: 'dir', path: `lib/modules/${RELEASE}`, mode: 0o755 },
    { type: 'dir', path: `lib/modules/${RELEASE}/kernel/drivers`, mode: 0o755 },
    { type: 'dir', path: `lib/modules/${RELEASE}/extra`, mode: 0o755 },
    { type: 'file', path: `lib/modules/${RELEASE}/pilot-modules.load`, mode: 0o644, source: Buffer.from('kernel/drivers/virtio_blk.ko\n') },
    { type: 'file', path: `lib/modules/${RELEASE}/kernel/drivers/virtio_blk.ko`, mode: 0o644, source: Buffer.from('\x7fELF virtio_blk') },
    { type: 'file', path: `lib/modules/${RELEASE}/extra/qcom_pas_sim.ko`, mode: 0o644, source: Buffer.from('\x7fELF qcom_pas_sim') },
  ];
  const modules = await writeModulesArchive({ entries }, join(root, 'modules.cpio.gz'));
  const basePath = join(root, 'base-initramfs.cpio.gz');
  await writeGzippedCpio(basePath, [
    { type: 'dir', path: 'bin', mode: 0o755 },
    { type: 'file', path: 'init', mode: 0o755, source: Buffer.from('#!/bin/busybox sh\n') },
  ]);
  return {
    basePath,
    modulesPath: modules.path,
    outputPath: join(root, 'initrd.cpio.gz'),
    expectedSha256: await concatenatedSha256([basePath, modules.path]),
    baseBytes: await readFile(basePath),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pilot-remote-initrd-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('assembleInitrdOnTarget on a real shell', () => {
  it('writes the pushed base followed by the modules archive, checks the host\'s sha256, and reports what it wrote', async () => {
    const layout = await layoutWithPieces('ok');
    const initrd = await assembleInitrdOnTarget(hostShell, layout, { timeoutMs: 30_000 });
    const written = await readFile(layout.outputPath);
    expect(initrd).toMatchObject({ remotePath: layout.outputPath, bytes: written.length });
    expect(initrd.sha256).toBe(createHash('sha256').update(written).digest('hex'));
    expect(initrd.sha256).toBe(layout.expectedSha256);
    // The base goes first, byte for byte: it holds /init, which must be the one the new kernel runs.
    expect(written.subarray(0, layout.baseBytes.length).equals(layout.baseBytes)).toBe(true);
    const modules = readCpio(written.subarray(layout.baseBytes.length));
    const byPath = new Map(modules.map((member) => [member.path, member]));
    expect(byPath.get(`lib/modules/${RELEASE}/pilot-modules.load`)?.data.toString()).toBe('kernel/drivers/virtio_blk.ko\n');
    expect(byPath.get(`lib/modules/${RELEASE}/extra/qcom_pas_sim.ko`)?.data.toString()).toBe('\x7fELF qcom_pas_sim');
    // Parents before children, or the kernel's unpacker has no folder to put a module in.
    const paths = modules.map((member) => member.path);
    expect(paths.indexOf(`lib/modules/${RELEASE}`)).toBeLessThan(paths.indexOf(`lib/modules/${RELEASE}/pilot-modules.load`));
    // The pieces are gone once the initrd exists: the target's tmpfs is its RAM.
    const left = await execa('ls', ['-A', join(dir, 'ok')]);
    expect(left.stdout.split('\n')).toEqual(['initrd.cpio.gz']);
  });

  it('refuses an initrd whose hash is not the host\'s, and leaves no output behind', async () => {
    const layout = await layoutWithPieces('corrupt');
    const error = await rejectionOf(assembleInitrdOnTarget(hostShell, { ...layout, expectedSha256: '0'.repeat(64) }, { timeoutMs: 30_000 }), InfraError);
    expect(error.code).toBe('E_INITRD_ASSEMBLE');
    expect(error.message).toMatch(/has sha256 [0-9a-f]{64}, not the host's 0{64}/);
    const left = await execa('ls', ['-A', join(dir, 'corrupt')]);
    expect(left.stdout.split('\n')).not.toContain('initrd.cpio.gz');
    expect(left.stdout).not.toMatch(/part/);
  });

  it('fails with E_INITRD_ASSEMBLE, naming the missing base or modules archive', async () => {
    const layout = await layoutWithPieces('no-base');
    await rm(layout.basePath);
    const error = await rejectionOf(assembleInitrdOnTarget(hostShell, layout, { timeoutMs: 30_000 }), InfraError);
    expect(error.code).toBe('E_INITRD_ASSEMBLE');
    expect(error.message).toContain(`no base initramfs at ${layout.basePath}`);
    expect(error.evidence.join('\n')).toContain('pilot-initrd-error');
    const noModules = await layoutWithPieces('no-modules');
    await rm(noModules.modulesPath);
    expect((await rejectionOf(assembleInitrdOnTarget(hostShell, noModules, { timeoutMs: 30_000 }), InfraError)).message).toContain(`no modules archive at ${noModules.modulesPath}`);
  });
});

describe('assembleInitrdOnTarget on a scripted guest', () => {
  const layout: InitrdLayout = {
    basePath: '/tmp/pilot-deploy/base.cpio.gz',
    modulesPath: '/tmp/pilot-deploy/modules.cpio.gz',
    outputPath: '/tmp/pilot-deploy/initrd.cpio.gz',
    expectedSha256: 'a'.repeat(64),
  };
  const command = assembleInitrdCommand(layout);

  it("quotes the target's own words when a step fails, e.g. a full tmpfs", async () => {
    const guest = new FakeGuest().onExec(command, {
      code: 1,
      stderr: 'cat: write error: No space left on device\npilot-initrd-error: writing /tmp/pilot-deploy/initrd.cpio.gz.part\n',
    });
    const error = await rejectionOf(assembleInitrdOnTarget(guest, layout), InfraError);
    expect(error.code).toBe('E_INITRD_ASSEMBLE');
    expect(error.message).toMatch(/status 1: writing \/tmp\/pilot-deploy\/initrd\.cpio\.gz\.part$/);
    expect(error.evidence).toContain('cat: write error: No space left on device');
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
