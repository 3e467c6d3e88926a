import { describe, expect, it } from 'vitest';
import { readKernelFacts } from '../../harness/guest/kernel-facts.ts';
import type { KmsgRecord } from '../../harness/guest/guest.ts';
import { parseKmsgDump, realBootLog } from '../fakes/kmsg.ts';

let seq = 0;
function records(...texts: Array<string | [string, number]>): KmsgRecord[] {
  return texts.map((entry) => {
    const [text, facility] = typeof entry === 'string' ? [entry, 0] : entry;
    return { seq: seq++, level: 6, facility, usec: seq * 1000, text };
  });
}

describe('readKernelFacts on real boots', () => {
  it('kvm-el2: EL2, VHE, one SMMUv3, no Xen', () => {
    const facts = readKernelFacts(realBootLog('kvm-el2'));
    expect(facts.release?.value).toBe('6.1.0-56-arm64');
    expect(facts.el?.value).toBe(2);
    expect(facts.el?.line).toBe('CPU: All CPU(s) started at EL2');
    expect(facts.kvm?.value).toBe('vhe');
    expect(facts.kvm?.line).toBe('kvm [1]: VHE mode initialized successfully');
    expect([...new Set(facts.smmu.map((fact) => fact.value))]).toEqual(['9050000.smmuv3']);
    expect(facts.smmu[0]?.line).toMatch(/^arm-smmu-v3 9050000\.smmuv3: ias 44-bit, oas 44-bit/);
    expect(facts.xen).toBeUndefined();
    expect(facts.bootSeq).toBe(1);
  });

  it('el1: EL1, HYP mode not available, no SMMU, no Xen', () => {
    const facts = readKernelFacts(realBootLog('el1'));
    expect(facts.el?.value).toBe(1);
    expect(facts.kvm?.value).toBe('unavailable');
    expect(facts.kvm?.line).toBe('kvm [1]: HYP mode not available');
    expect(facts.smmu).toEqual([]);
    expect(facts.xen).toBeUndefined();
  });

  it('xen-el1: EL1, Xen 4.17, and kvm still says HYP mode not available', () => {
    const facts = readKernelFacts(realBootLog('xen-el1'));
    expect(facts.el?.value).toBe(1);
    expect(facts.xen?.value).toBe('4.17');
    expect(facts.xen?.line).toBe('Xen 4.17 support found');
    // Measured: dom0 runs kvm_arm_init too, which finds no EL2.
    expect(facts.kvm?.value).toBe('unavailable');
    expect(facts.smmu).toEqual([]);
  });
});

describe('readKernelFacts wording', () => {
  it.each([
    ['kvm [1]: VHE mode initialized successfully', 'vhe'],
    ['kvm [1]: Hyp mode initialized successfully', 'nvhe'],
    ['kvm [1]: nVHE mode initialized successfully', 'nvhe'],
    ['kvm [1]: Protected nVHE mode initialized successfully', 'protected-nvhe'],
    ['kvm [1]: HYP mode not available', 'unavailable'],
    ['kvm [1]: KVM disabled from command line', 'disabled'],
    ['kvm [97]: VHE mode initialized successfully', 'vhe'],
  ])('%s -> %s', (line, mode) => {
    expect(readKernelFacts(records(line)).kvm?.value).toBe(mode);
  });

  it('ignores other kvm lines', () => {
    expect(readKernelFacts(records('kvm [1]: IPA Size Limit: 48 bits', 'kvm [1]: vgic interrupt IRQ9')).kvm).toBeUndefined();
  });

  it('reports mixed exception levels from the inconsistent-modes warning', () => {
    const facts = readKernelFacts(records('Linux version 6.1.0-56-arm64 (x) #1 SMP', 'CPU: CPUs started in inconsistent modes'));
    expect(facts.el?.value).toBe('mixed');
  });

  it('reads only the last boot when a kexec left two in the log', () => {
    const facts = readKernelFacts(
      records(
        'Linux version 6.1.0-56-arm64 (debian) #1 SMP',
        'CPU: All CPU(s) started at EL2',
        'kvm [1]: VHE mode initialized successfully',
        'arm-smmu-v3 9050000.smmuv3: ias 44-bit, oas 44-bit (features 0x00008305)',
        'Linux version 6.1.0-99-local (me@host) #2 SMP',
        'CPU: All CPU(s) started at EL1',
      ),
    );
    expect(facts.release?.value).toBe('6.1.0-99-local');
    expect(facts.el?.value).toBe(1);
    expect(facts.kvm).toBeUndefined();
    expect(facts.smmu).toEqual([]);
  });

  it('ignores lines user space wrote to /dev/kmsg', () => {
    const facts = readKernelFacts(records(['CPU: All CPU(s) started at EL2', 1], ['Xen 4.17 support found', 1]));
    expect(facts.el).toBeUndefined();
    expect(facts.xen).toBeUndefined();
    expect(facts.bootSeq).toBeUndefined();
  });

  it('keeps the seq of each fact so callers can quote the record', () => {
    const log = parseKmsgDump('6,7,100,-;CPU: All CPU(s) started at EL1\n 0x\n6,8,200,-;Xen 4.17 support found\n');
    const facts = readKernelFacts(log);
    expect(facts.el).toEqual({ value: 1, seq: 7, line: 'CPU: All CPU(s) started at EL1' });
    expect(facts.xen?.seq).toBe(8);
  });
});
