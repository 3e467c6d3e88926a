// A profile is the kind of platform a scenario runs on; QEMU and real boards both claim one, and it is checked against the kernel's log.

export type ProfileName = 'kvm-el2' | 'xen-el1' | 'el1';

export interface Profile {
  name: ProfileName;
  /** What the profile stands for on real hardware. */
  standsFor: string;
  /** Exception level Linux runs at. */
  el: 1 | 2;
  /** The value of /sys/hypervisor/type, or undefined when there is none. */
  hypervisor: 'xen' | undefined;
  /** Whether Linux sees and drives an SMMU. */
  smmu: boolean;
  /** How kvm initialises: VHE when Linux owns EL2, unavailable at EL1 (Xen dom0 included: measured `kvm [1]: HYP mode not available`). */
  kvm: 'vhe' | 'unavailable';
}

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  'kvm-el2': {
    name: 'kvm-el2',
    standsFor: 'no hypervisor: Linux is the KVM host at EL2 and owns the SMMU',
    el: 2,
    hypervisor: undefined,
    smmu: true,
    kvm: 'vhe',
  },
  'xen-el1': {
    name: 'xen-el1',
    standsFor: 'an EL2 hypervisor (Xen) owns the machine; Linux is dom0 at EL1',
    el: 1,
    hypervisor: 'xen',
    smmu: false,
    kvm: 'unavailable',
  },
  el1: {
    name: 'el1',
    standsFor: 'fast stand-in for "hypervisor present": Linux at EL1, no SMMU',
    el: 1,
    hypervisor: undefined,
    smmu: false,
    kvm: 'unavailable',
  },
};

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export function isProfileName(value: string): value is ProfileName {
  return Object.hasOwn(PROFILES, value);
}
