// After a deploy: the kernel under test must be the one running (its boot, its release, its banner, its build-id), and the
// machine must still be its profile. Anything else is an InfraError: never a pass on the old kernel.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../core/errors.ts';
import type { Guest } from '../guest/guest.ts';
import type { Profile } from '../model/profile.ts';
import { checkProfile, type SelfCheckLimits } from '../machine/self-check.ts';
import type { KernelUnderTest } from '../kernel/input.ts';
import { parseKernelConfig } from '../kernel/config.ts';
import { buildIdFromKernelNotesHex } from '../kernel/notes.ts';

export interface KernelProof {
  bootId: string;
  release: string;
  procVersion: string;
  /** Undefined when the artifact's build-id is unknown (then /proc/version alone identifies it). */
  buildId: string | undefined;
  /** What checkProfile read on the new kernel. */
  profileCheck: string[];
}

interface Observed {
  bootId: string;
  release: string;
  procVersion: string;
  notesHex: string;
}

const SECTION = '--pilot-proof--';

/** One round trip; the notes go as hex because the shell carries text more safely than binary. */
export async function readRunningKernel(guest: Guest, limits: SelfCheckLimits = {}): Promise<Observed> {
  const result = await guest.exec(
    [
      'cat /proc/sys/kernel/random/boot_id',
      `echo ${SECTION}`,
      'uname -r',
      `echo ${SECTION}`,
      'cat /proc/version',
      `echo ${SECTION}`,
      "od -An -v -tx1 /sys/kernel/notes 2>/dev/null || hexdump -ve '1/1 \"%.2x\"' /sys/kernel/notes",
    ].join('; '),
    { timeoutMs: 15_000, ...(limits.signal ? { signal: limits.signal } : {}) },
  );
  const parts = result.stdout.split(`${SECTION}\n`);
  if (result.code !== 0 || parts.length !== 4) {
    throw new InfraError('E_DEPLOY_PROOF', `could not read the running kernel's identity (status ${result.code})`, {
      evidence: [...result.stdout.split('\n').slice(0, 10), ...result.stderr.split('\n').slice(-5)].filter(Boolean),
    });
  }
  const [bootId, release, procVersion, notesHex] = parts.map((part) => part.trim()) as [string, string, string, string];
  return { bootId, release, procVersion, notesHex };
}

interface Comparison {
  what: string;
  expected: string;
  observed: string;
  ok: boolean;
}

/**
 * Which boot the kernel must be running in: one other than the boot a push left (kexec, reboot), or, for a machine that
 * booted the kernel from its first second (direct), that first boot, whose readiness line gave its boot_id.
 */
export type BootExpectation = { after: string } | { first: string | undefined };

/** What the record says of the boot before: a direct boot had none. */
export function previousBootOf(boot: BootExpectation): string | undefined {
  return 'after' in boot ? boot.after : undefined;
}

function bootComparison(boot: BootExpectation, observed: string): Comparison {
  if ('after' in boot) return { what: 'boot_id', expected: `not ${boot.after}`, observed, ok: observed !== '' && observed !== boot.after };
  if (boot.first === undefined) return { what: 'boot_id', expected: 'any (the first boot; there is no previous boot_id)', observed, ok: observed !== '' };
  return { what: 'boot_id', expected: `${boot.first} (the first boot's, from its readiness line; there is no previous boot_id)`, observed, ok: observed === boot.first };
}

/**
 * Proves that `kernel` runs on the guest in the expected boot (see BootExpectation), then re-runs the profile self-check.
 * E_DEPLOY_NOT_RUNNING when the boot did not change or another release runs; E_DEPLOY_PROOF when the release matches
 * but the banner or build-id do not (a different build of the same release).
 */
export async function proveKernelRunning(
  guest: Guest,
  kernel: KernelUnderTest,
  boot: BootExpectation,
  profile: Profile,
  limits: SelfCheckLimits = {},
): Promise<KernelProof> {
  const observed = await readRunningKernel(guest, limits);
  const observedBuildId = buildIdFromKernelNotesHex(observed.notesHex);
  const identity: Comparison[] = [
    bootComparison(boot, observed.bootId),
    { what: 'uname -r', expected: kernel.release, observed: observed.release, ok: observed.release === kernel.release },
  ];
  const build: Comparison[] = [
    { what: '/proc/version', expected: kernel.versionString, observed: observed.procVersion, ok: observed.procVersion === kernel.versionString.trim() },
  ];
  if (kernel.buildId !== undefined) {
    build.push({ what: 'build-id (/sys/kernel/notes)', expected: kernel.buildId, observed: observedBuildId ?? '(none found)', ok: observedBuildId === kernel.buildId });
  }
  const failedIdentity = identity.filter((check) => !check.ok);
  const failedBuild = build.filter((check) => !check.ok);
  if (failedIdentity.length || failedBuild.length) {
    const code = failedIdentity.length ? 'E_DEPLOY_NOT_RUNNING' : 'E_DEPLOY_PROOF';
    const failed = [...failedIdentity, ...failedBuild];
    throw new InfraError(code, `the ${'after' in boot ? 'pushed' : 'directly booted'} kernel ${kernel.release} is not the one running: ${failed.map((check) => check.what).join(', ')} differ`, {
      evidence: failed.flatMap((check) => [`${check.what}: expected ${check.expected}`, `${' '.repeat(check.what.length)}  observed ${check.observed}`]),
      hint:
        code !== 'E_DEPLOY_NOT_RUNNING'
          ? 'a different build of the same release is running'
          : 'after' in boot
            ? 'the old kernel is still up or came back: the deploy did not start the pushed one'
            : 'the machine did not boot the kernel it was given',
    });
  }
  const kernelHasKvm = (await kernelConfigValue(kernel, 'CONFIG_KVM')) !== 'n';
  const profileCheck = await checkProfile(profile, guest, { ...limits, kernelHasKvm });
  return { bootId: observed.bootId, release: observed.release, procVersion: observed.procVersion, buildId: observedBuildId, profileCheck };
}

/** An option's value in the kernel's .config (build tree, or the package's boot/config-<release>); undefined when unknown. */
export async function kernelConfigValue(kernel: Pick<KernelUnderTest, 'buildDir' | 'modulesRoot' | 'release'>, option: string): Promise<string | undefined> {
  const candidates = [kernel.buildDir && join(kernel.buildDir, '.config'), join(kernel.modulesRoot, 'boot', `config-${kernel.release}`)];
  for (const path of candidates) {
    if (!path) continue;
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text !== undefined) return parseKernelConfig(text).get(option) ?? 'n';
  }
  return undefined;
}
