// The kernel config options the runs need (the simulated SoC or the real one, and the deploy flow), checked against a .config before anything builds.
import type { ProfileName } from '../model/profile.ts';
import type { SocKind } from '../model/soc-kind.ts';

export interface ConfigRequirement {
  option: string;
  /** Accepted values: y alone for what must be built in, y or m for what may be a module. */
  accepted: readonly ('y' | 'm')[];
  why: string;
  /** Needed only when one of these profiles runs; every run needs it when absent. */
  profiles?: readonly ProfileName[];
  /** Needed only when the kernel is started by one of these deploys. */
  deploys?: readonly string[];
  /** Needed only on runs with this SoC: the real one needs the kernel's own Qualcomm drivers. */
  socs?: readonly SocKind[];
}

/** The profiles a kernel will run on and the deploys that will start it, so the check asks for no more than the runs need. */
export interface KernelUse {
  profiles: readonly ProfileName[];
  deploys: readonly string[];
  /** The SoCs of its runs; absent means the simulation's. */
  socs?: readonly SocKind[];
}

export const KERNEL_CONFIG_REQUIREMENTS: readonly ConfigRequirement[] = [
  { option: 'CONFIG_MODULES', accepted: ['y'], why: 'the SoC module and the virtio stack are loaded by the guest\'s /init' },
  { option: 'CONFIG_REMOTEPROC', accepted: ['y', 'm'], why: 'ADSP and CDSP register with the remoteproc core' },
  { option: 'CONFIG_ARM_SMMU_V3', accepted: ['y', 'm'], why: 'the edu DMA masters sit behind the SMMUv3 on kvm-el2', profiles: ['kvm-el2'] },
  { option: 'CONFIG_VIDEO_DEV', accepted: ['y', 'm'], why: 'Iris is a V4L2 video device' },
  { option: 'CONFIG_DEBUG_FS', accepted: ['y'], why: 'crashes are injected through remoteproc debugfs' },
  { option: 'CONFIG_VIRTIO_NET', accepted: ['y', 'm'], why: 'the guest is reached over SSH on virtio-net' },
  { option: 'CONFIG_VIRTIO_PCI', accepted: ['y', 'm'], why: 'QEMU virt puts virtio-net on PCI' },
  { option: 'CONFIG_KEXEC', accepted: ['y'], why: 'deploy by kexec', deploys: ['kexec'] },
  { option: 'CONFIG_VIRTIO_BLK', accepted: ['y', 'm'], why: 'the reboot deploy writes the boot disk U-Boot reads', deploys: ['reboot'] },
  { option: 'CONFIG_VFAT_FS', accepted: ['y', 'm'], why: 'the boot partition is FAT, as on boards', deploys: ['reboot'] },
  { option: 'CONFIG_NLS_CODEPAGE_437', accepted: ['y', 'm'], why: 'vfat mounts with codepage 437 by default', deploys: ['reboot'] },
  { option: 'CONFIG_NLS_ASCII', accepted: ['y', 'm'], why: 'vfat mounts with iocharset ascii by default', deploys: ['reboot'] },
  { option: 'CONFIG_XEN', accepted: ['y'], why: 'the xen-el1 profile boots the kernel as Xen\'s dom0', profiles: ['xen-el1'] },
  // soc: real runs the kernel's own drivers against the EL3 firmware: these are the code under test.
  { option: 'CONFIG_QCOM_SCM', accepted: ['y', 'm'], why: 'soc: real: qcom_scm makes the SMC calls to the EL3 firmware (PAS, SHM bridge)', socs: ['real'] },
  { option: 'CONFIG_QCOM_Q6V5_PAS', accepted: ['y', 'm'], why: 'soc: real: qcom_q6v5_pas loads and starts ADSP and CDSP', socs: ['real'] },
  { option: 'CONFIG_QCOM_SMEM', accepted: ['y', 'm'], why: 'soc: real: the remotes\' crash reasons and SMP2P state live in SMEM', socs: ['real'] },
  { option: 'CONFIG_QCOM_SMP2P', accepted: ['y', 'm'], why: 'soc: real: ready, handover, fatal and stop-ack arrive over SMP2P', socs: ['real'] },
  { option: 'CONFIG_HWSPINLOCK_QCOM', accepted: ['y', 'm'], why: 'soc: real: SMEM takes the hardware mutex (without it SMEM never probes)', socs: ['real'] },
  { option: 'CONFIG_QRTR', accepted: ['y', 'm'], why: 'soc: real: qcom_q6v5_pas depends on QRTR for its sysmon and SSR notifications', socs: ['real'] },
];

/** The requirements of these runs; when the use is not known (a kernel checked on its own), every profile and deploy on the simulation. */
export function configFor(use: KernelUse | undefined, requirements: readonly ConfigRequirement[] = KERNEL_CONFIG_REQUIREMENTS): ConfigRequirement[] {
  if (!use) return requirements.filter((r) => !r.socs || r.socs.includes('sim'));
  const socs = use.socs ?? ['sim'];
  return requirements.filter(
    (r) =>
      (!r.profiles || r.profiles.some((profile) => use.profiles.includes(profile))) &&
      (!r.deploys || r.deploys.some((deploy) => use.deploys.includes(deploy))) &&
      (!r.socs || r.socs.some((soc) => socs.includes(soc))),
  );
}

/** `CONFIG_X=v` lines → value; `# CONFIG_X is not set` → 'n'. */
export function parseKernelConfig(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const set = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (set) values.set(set[1]!, set[2]!.replace(/^"(.*)"$/, '$1'));
    const unset = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(line);
    if (unset) values.set(unset[1]!, 'n');
  }
  return values;
}

export interface MissingOption {
  option: string;
  /** What the config has: y, m, n, or 'absent'. */
  got: string;
  wanted: string;
  why: string;
}

export function missingConfigOptions(config: Map<string, string>, requirements: readonly ConfigRequirement[] = configFor(undefined)): MissingOption[] {
  return requirements
    .filter((r) => !(r.accepted as readonly string[]).includes(config.get(r.option) ?? ''))
    .map((r) => ({ option: r.option, got: config.get(r.option) ?? 'absent', wanted: r.accepted.join(' or '), why: r.why }));
}

/** One line per missing option, for an error's evidence. */
export function describeMissingOptions(missing: readonly MissingOption[]): string[] {
  return missing.map((m) => `${m.option}=${m.got}, needs ${m.wanted}: ${m.why}`);
}
