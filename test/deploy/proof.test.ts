// The proof that a pushed kernel runs, against a scripted guest: every mismatch is an InfraError naming expected and observed.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraError } from '../../harness/core/errors.ts';
import type { KernelUnderTest } from '../../harness/kernel/input.ts';
import { kernelConfigValue, proveKernelRunning } from '../../harness/deploy/proof.ts';
import { PROFILES } from '../../harness/model/profile.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';
import { realBootLog } from '../fakes/kmsg.ts';
import { rejectionOf } from '../fakes/rejection.ts';

const OLD_BOOT = '11111111-1111-4111-8111-111111111111';
const NEW_BOOT = '22222222-2222-4222-8222-222222222222';
const BUILD_ID = '0123456789abcdef0123456789abcdef01234567';
const VERSION = 'Linux version 6.1.0-56-rt-arm64 (debian-kernel@lists.debian.org) (gcc-12) #1 SMP PREEMPT_RT Debian 6.1.192-2 (2026-11-16)';

/** /sys/kernel/notes with one GNU build-id note, dumped as `od -An -v -tx1` prints it. */
function notesDump(buildId: string): string {
  const header = Buffer.alloc(12);
  header.writeUInt32LE(4, 0);
  header.writeUInt32LE(buildId.length / 2, 4);
  header.writeUInt32LE(3, 8);
  const bytes = Buffer.concat([header, Buffer.from('GNU\0', 'latin1'), Buffer.from(buildId, 'hex')]);
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) lines.push(` ${[...bytes.subarray(at, at + 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`);
  return lines.join('\n');
}

let dir: string;
let kernel: KernelUnderTest;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pilot-proof-'));
  kernel = {
    release: '6.1.0-56-rt-arm64',
    imagePath: join(dir, 'Image'),
    imageSha256: '0'.repeat(64),
    modulesRoot: dir,
    simModulePath: join(dir, 'qcom_pas_sim.ko'),
    buildId: BUILD_ID,
    versionString: VERSION,
    source: 'debian',
    buildDir: undefined,
  };
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function guestRunning(identity: { bootId: string; release: string; version: string; buildId: string }): FakeGuest {
  const guest = new FakeGuest({ records: realBootLog('kvm-el2') });
  guest.onExec(/random\/boot_id; echo/, {
    stdout: `${identity.bootId}\n--pilot-proof--\n${identity.release}\n--pilot-proof--\n${identity.version}\n--pilot-proof--\n${notesDump(identity.buildId)}\n`,
  });
  guest.onExec(/sys\/hypervisor\/type/, { stdout: '(none)\n---\nsmmu3.0x0000000009050000\n' });
  return guest;
}

describe('proveKernelRunning', () => {
  it('passes when boot_id changed and release, banner and build-id are the artifact\'s, then re-checks the profile', async () => {
    const guest = guestRunning({ bootId: NEW_BOOT, release: kernel.release, version: VERSION, buildId: BUILD_ID });
    const proof = await proveKernelRunning(guest, kernel, { after: OLD_BOOT }, PROFILES['kvm-el2']);
    expect(proof).toMatchObject({ bootId: NEW_BOOT, release: kernel.release, procVersion: VERSION, buildId: BUILD_ID });
    expect(proof.profileCheck.join('\n')).toMatch(/VHE mode initialized/);
  });

  it('is E_DEPLOY_NOT_RUNNING when the old kernel is still up', async () => {
    const guest = guestRunning({ bootId: OLD_BOOT, release: '6.1.0-56-arm64', version: VERSION.replace('-rt', ''), buildId: 'ff'.repeat(20) });
    const error = await rejectionOf(proveKernelRunning(guest, kernel, { after: OLD_BOOT }, PROFILES['kvm-el2']), InfraError);
    expect(error.code).toBe('E_DEPLOY_NOT_RUNNING');
    expect(error.evidence.join('\n')).toContain(`expected ${kernel.release}`);
    expect(error.evidence.join('\n')).toContain('observed 6.1.0-56-arm64');
  });

  it('is E_DEPLOY_PROOF when the release matches but the build-id is another build\'s', async () => {
    const other = 'ab'.repeat(20);
    const guest = guestRunning({ bootId: NEW_BOOT, release: kernel.release, version: VERSION, buildId: other });
    const error = await rejectionOf(proveKernelRunning(guest, kernel, { after: OLD_BOOT }, PROFILES['kvm-el2']), InfraError);
    expect(error.code).toBe('E_DEPLOY_PROOF');
    expect(error.evidence.join('\n')).toContain(`expected ${BUILD_ID}`);
    expect(error.evidence.join('\n')).toContain(`observed ${other}`);
  });

  it('expects no kvm line from a kernel built without CONFIG_KVM, and still fails one that prints it at the wrong mode', async () => {
    await mkdir(join(dir, 'boot'), { recursive: true });
    await writeFile(join(dir, 'boot', `config-${kernel.release}`), 'CONFIG_VIRTUALIZATION=y\n# CONFIG_KVM is not set\n');
    expect(await kernelConfigValue(kernel, 'CONFIG_KVM')).toBe('n');
    // The real kvm-el2 log has a VHE line: for a kernel without KVM that is a contradiction, so the check fails.
    const guest = guestRunning({ bootId: NEW_BOOT, release: kernel.release, version: VERSION, buildId: BUILD_ID });
    const error = await rejectionOf(proveKernelRunning(guest, kernel, { after: OLD_BOOT }, PROFILES['kvm-el2']), InfraError);
    expect(error.code).toBe('E_PROFILE_MISMATCH');
    expect(error.evidence.join('\n')).toContain('built without CONFIG_KVM');
    await rm(join(dir, 'boot'), { recursive: true, force: true });
  });
});
