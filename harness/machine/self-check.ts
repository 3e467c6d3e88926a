// Before any step, the target must prove it is the profile it claims, from what its own kernel printed.
import { InfraError } from '../core/errors.ts';
import type { Guest } from '../guest/guest.ts';
import { readKernelFacts } from '../guest/kernel-facts.ts';
import type { Profile } from '../model/profile.ts';

export interface SelfCheckLimits {
  signal?: AbortSignal;
  deadline?: number;
  /** False for a kernel built without CONFIG_KVM (Debian's rt kernels): it prints no kvm line on any profile. Default true. */
  kernelHasKvm?: boolean;
}

interface Expectation {
  what: string;
  expected: string;
  observed: string;
  ok: boolean;
}

/** Lines the check read, for the report; throws E_PROFILE_MISMATCH naming each expected and observed line. */
export async function checkProfile(profile: Profile, guest: Guest, limits: SelfCheckLimits = {}): Promise<string[]> {
  await guest.kernelLog.sync(limits);
  const facts = readKernelFacts([...guest.kernelLog.records]);
  const probe = await guest.exec(
    'cat /sys/hypervisor/type 2>/dev/null || echo "(none)"; echo ---; ls /sys/class/iommu 2>/dev/null',
    { timeoutMs: 15_000, ...(limits.signal ? { signal: limits.signal } : {}) },
  );
  const [hypervisorPart = '', iommuPart = ''] = probe.stdout.split('---\n');
  const hypervisor = hypervisorPart.trim();
  const iommus = iommuPart.split(/\s+/).filter(Boolean);

  const checks: Expectation[] = [
    {
      what: 'exception level',
      expected: `CPU: All CPU(s) started at EL${profile.el}`,
      observed: facts.el?.line ?? '(no "started at EL" line in the kernel log)',
      ok: facts.el?.value === profile.el,
    },
    {
      what: 'hypervisor',
      expected: profile.hypervisor ? `/sys/hypervisor/type = ${profile.hypervisor}` : '/sys/hypervisor/type absent',
      observed: hypervisor === '(none)' ? '/sys/hypervisor/type absent' : `/sys/hypervisor/type = ${hypervisor}`,
      ok: (profile.hypervisor ?? '(none)') === hypervisor,
    },
    {
      what: 'SMMU',
      expected: profile.smmu ? 'an arm-smmu-v3 probe line and an entry in /sys/class/iommu' : 'no SMMU',
      observed: facts.smmu.length ? `${facts.smmu[0]!.line} (/sys/class/iommu: ${iommus.join(' ') || 'empty'})` : iommus.length ? `/sys/class/iommu: ${iommus.join(' ')}` : 'no SMMU',
      ok: profile.smmu ? facts.smmu.length > 0 && iommus.length > 0 : facts.smmu.length === 0 && iommus.length === 0,
    },
    limits.kernelHasKvm === false
      ? {
          what: 'KVM',
          expected: 'no kvm line: the kernel is built without CONFIG_KVM',
          observed: facts.kvm?.line ?? '(no kvm line in the kernel log)',
          ok: facts.kvm === undefined,
        }
      : {
          what: 'KVM',
          expected: profile.kvm === 'vhe' ? 'kvm [1]: VHE mode initialized successfully' : 'kvm [1]: HYP mode not available',
          observed: facts.kvm?.line ?? '(no kvm line in the kernel log)',
          ok: facts.kvm?.value === profile.kvm,
        },
  ];
  const failed = checks.filter((check) => !check.ok);
  if (failed.length) {
    throw new InfraError(
      'E_PROFILE_MISMATCH',
      `the target does not behave as profile ${profile.name}: ${failed.map((check) => check.what).join(', ')}`,
      {
        evidence: failed.flatMap((check) => [`${check.what}: expected ${check.expected}`, `${' '.repeat(check.what.length)}  observed ${check.observed}`]),
        hint: 'the machine was started with the wrong QEMU flags or the board claims a profile it does not have',
      },
    );
  }
  return checks.map((check) => `${check.what}: ${check.observed}`);
}
