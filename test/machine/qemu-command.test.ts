import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../harness/model/profile.ts';
import { escapeOptionValue, qemuCommand } from '../../harness/machine/qemu-command.ts';

const base = { kernelImage: '/c/vmlinuz', initramfs: '/c/initrd.gz', xen: '/c/xen', sshPort: 40022 };

function optionAfter(args: string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1]!] : []));
}

describe('qemuCommand', () => {
  it('gives kvm-el2 EL2, GICv2 and the SMMUv3', () => {
    const { args } = qemuCommand({ ...base, profile: PROFILES['kvm-el2'] });
    expect(optionAfter(args, '-machine')).toEqual(['virt,virtualization=on,gic-version=2,iommu=smmuv3']);
    expect(optionAfter(args, '-cpu')).toEqual(['max,pauth-impdef=on,lpa2=off']);
    expect(optionAfter(args, '-kernel')).toEqual(['/c/vmlinuz']);
    expect(optionAfter(args, '-initrd')).toEqual(['/c/initrd.gz']);
  });

  it('gives el1 no virtualization and no SMMU', () => {
    const { args } = qemuCommand({ ...base, profile: PROFILES.el1 });
    expect(optionAfter(args, '-machine')).toEqual(['virt,virtualization=off,gic-version=2']);
  });

  it('boots Xen as the kernel with dom0 and its initrd through guest-loader on xen-el1', () => {
    const { args, kernelCommandLine } = qemuCommand({ ...base, profile: PROFILES['xen-el1'] });
    expect(optionAfter(args, '-machine')).toEqual(['virt,virtualization=on,gic-version=2']);
    expect(optionAfter(args, '-kernel')).toEqual(['/c/xen']);
    expect(args).not.toContain('-initrd');
    const loaders = optionAfter(args, '-device').filter((d) => d.startsWith('guest-loader'));
    expect(loaders).toHaveLength(2);
    expect(loaders[0]).toContain('kernel=/c/vmlinuz');
    expect(loaders[0]).toContain(`bootargs=${kernelCommandLine}`);
    expect(loaders[1]).toContain('initrd=/c/initrd.gz');
    expect(kernelCommandLine).toContain('console=hvc0');
  });

  it('refuses xen-el1 without a Xen image', () => {
    expect(() => qemuCommand({ ...base, xen: undefined, profile: PROFILES['xen-el1'] })).toThrow(/Xen/);
  });

  it('forwards SSH on loopback only', () => {
    const { args } = qemuCommand({ ...base, profile: PROFILES.el1 });
    const netdev = optionAfter(args, '-netdev')[0]!;
    expect(netdev).toContain('hostfwd=tcp:127.0.0.1:40022-:22');
    expect(netdev).not.toMatch(/hostfwd=tcp::|0\.0\.0\.0/);
  });

  it('keeps the kmsg rate limit off and turns panics into a QEMU exit', () => {
    const { args, kernelCommandLine } = qemuCommand({ ...base, profile: PROFILES.el1 });
    expect(kernelCommandLine).toContain('printk.devkmsg=on');
    expect(kernelCommandLine).toContain('panic=-1');
    expect(args).toContain('-no-reboot');
    expect(qemuCommand({ ...base, profile: PROFILES.el1, allowReboot: true }).args).not.toContain('-no-reboot');
  });

  it('adds devices, a DTB and extra kernel words', () => {
    const { args, kernelCommandLine } = qemuCommand({
      ...base,
      profile: PROFILES['kvm-el2'],
      dtb: '/a/machine.dtb',
      devices: ['edu,addr=0x10'],
      kernelArgs: ['loglevel=4'],
    });
    expect(optionAfter(args, '-dtb')).toEqual(['/a/machine.dtb']);
    expect(optionAfter(args, '-device')).toContain('edu,addr=0x10');
    expect(kernelCommandLine.endsWith('loglevel=4')).toBe(true);
  });

  it('doubles commas inside option values', () => {
    expect(escapeOptionValue('a,b')).toBe('a,,b');
    const { args } = qemuCommand({ ...base, profile: PROFILES['xen-el1'], kernelArgs: ['x=1,2'] });
    expect(optionAfter(args, '-device').find((d) => d.includes('bootargs'))).toContain('x=1,,2');
  });
});

describe('qemuCommand with a gdbstub', () => {
  it('listens on 127.0.0.1 only, and not at all unless asked', () => {
    const { args } = qemuCommand({ ...base, profile: PROFILES.el1, gdbPort: 41234 });
    expect(optionAfter(args, '-gdb')).toEqual(['tcp:127.0.0.1:41234']);
    expect(args).not.toContain('-s');
    expect(qemuCommand({ ...base, profile: PROFILES.el1 }).args).not.toContain('-gdb');
  });
});
