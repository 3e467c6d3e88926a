// What the running kernel says about its platform, read from its own boot log lines; pure, so the profile self-check and steps agree.
import type { KmsgRecord } from './guest.ts';

/** One fact and the record it was read from, so callers can quote the kernel's line as evidence. */
export interface KernelFact<T> {
  value: T;
  seq: number;
  line: string;
}

export type ExceptionLevelFact = 1 | 2 | 'mixed';
/** vhe/nvhe/protected-nvhe: kvm owns EL2; unavailable: Linux did not boot at EL2; disabled: kvm-arm.mode=none. */
export type KvmMode = 'vhe' | 'nvhe' | 'protected-nvhe' | 'unavailable' | 'disabled';

export interface KernelFacts {
  /** `uname -r` from the `Linux version` line. */
  release: KernelFact<string> | undefined;
  /** From arch/arm64/kernel/smp.c hyp_mode_check(). */
  el: KernelFact<ExceptionLevelFact> | undefined;
  /** From arch/arm64/kvm/arm.c kvm_arm_init(). */
  kvm: KernelFact<KvmMode> | undefined;
  /** Every arm-smmu-v3 line of the boot; value is the device, e.g. 9050000.smmuv3. Empty when no SMMUv3 probed. */
  smmu: Array<KernelFact<string>>;
  /** Hypervisor version from arch/arm/xen/enlighten.c ("Xen 4.17 support found"). */
  xen: KernelFact<string> | undefined;
  /** seq of the `Linux version` line the facts were read from; undefined when the log does not reach back to boot. */
  bootSeq: number | undefined;
}

const LINUX_VERSION = /^Linux version (\S+)/;
const EL_LINE = /^CPU: All CPU\(s\) started at EL([12])\b/;
const MIXED_EL_LINE = /^CPU: CPUs started in inconsistent modes/;
const KVM_PREFIX = /^kvm \[\d+\]: /;
const KVM_MODES: ReadonlyArray<[RegExp, KvmMode]> = [
  [/^VHE mode initialized successfully/, 'vhe'],
  [/^Protected nVHE mode initialized successfully/, 'protected-nvhe'],
  // 6.1 says "Hyp mode", later kernels "nVHE mode".
  [/^(?:Hyp|nVHE) mode initialized successfully/, 'nvhe'],
  [/^HYP mode not available/, 'unavailable'],
  [/^KVM disabled from command line/, 'disabled'],
];
const SMMU_V3_LINE = /^arm-smmu-v3 (\S+): /;
const XEN_LINE = /^Xen (\S+) support found/;

/**
 * Reads the facts of the most recent boot in `records`: when a kexec or reboot left two boots in one log,
 * only records from the last `Linux version` line on count.
 */
export function readKernelFacts(records: ReadonlyArray<KmsgRecord>): KernelFacts {
  const bootIndex = findLastIndex(records, (record) => record.facility === 0 && LINUX_VERSION.test(record.text));
  const boot = bootIndex >= 0 ? records.slice(bootIndex) : records;
  const facts: KernelFacts = {
    release: undefined,
    el: undefined,
    kvm: undefined,
    smmu: [],
    xen: undefined,
    bootSeq: bootIndex >= 0 ? records[bootIndex]!.seq : undefined,
  };
  for (const record of boot) {
    // Lines written to /dev/kmsg from user space carry a non-zero facility and must not pass for the kernel's.
    if (record.facility !== 0) continue;
    const text = record.text;
    const fact = <T>(value: T): KernelFact<T> => ({ value, seq: record.seq, line: text });
    let found: RegExpExecArray | null;
    // One fact per line; the first occurrence wins except for the mixed-EL warning, which overrides.
    if ((found = LINUX_VERSION.exec(text))) facts.release ??= fact(found[1]!);
    else if ((found = EL_LINE.exec(text))) facts.el ??= fact(Number(found[1]) as 1 | 2);
    else if (MIXED_EL_LINE.test(text)) facts.el = fact('mixed');
    else if (KVM_PREFIX.test(text)) {
      const message = text.replace(KVM_PREFIX, '');
      const mode = KVM_MODES.find(([pattern]) => pattern.test(message));
      if (mode) facts.kvm ??= fact(mode[1]);
    } else if ((found = SMMU_V3_LINE.exec(text))) facts.smmu.push(fact(found[1]!));
    else if ((found = XEN_LINE.exec(text))) facts.xen ??= fact(found[1]!);
  }
  return facts;
}

function findLastIndex<T>(items: ReadonlyArray<T>, predicate: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index--) if (predicate(items[index]!)) return index;
  return -1;
}
