// The soc: real machine line: secure=on, the EL3 firmware as -bios, loaders at the firmware's addresses, the host channel as serial 2.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../harness/model/profile.ts';
import { qemuCommand } from '../../harness/machine/qemu-command.ts';

const secureBoot = { firmware: '/c/el3.bin', kernelImage: '/c/vmlinuz-6.12', dtb: '/a/machine.dtb', initramfs: '/c/initrd,real.gz', trustZoneSocket: '/tmp/pilot-tz-x/tz.sock' };
const base = { kernelImage: '/c/vmlinuz-6.12', initramfs: '/c/initrd,real.gz', sshPort: 40022, secureBoot };

const after = (args: string[], flag: string) => args.flatMap((arg, i) => (arg === flag ? [args[i + 1]!] : []));

describe('qemuCommand with secureBoot', () => {
  it('adds secure=on to the profile\'s machine and keeps its SMMU', () => {
    expect(after(qemuCommand({ ...base, profile: PROFILES['kvm-el2'] }).args, '-machine')).toEqual(['virt,secure=on,virtualization=on,gic-version=2,iommu=smmuv3']);
    expect(after(qemuCommand({ ...base, profile: PROFILES.el1 }).args, '-machine')).toEqual(['virt,secure=on,virtualization=off,gic-version=2']);
  });

  it('loads kernel, DTB and initrd where the firmware expects them instead of -kernel/-initrd/-append/-dtb', () => {
    const { args } = qemuCommand({ ...base, dtb: '/a/machine.dtb', profile: PROFILES.el1 });
    expect(after(args, '-bios')).toEqual(['/c/el3.bin']);
    expect(after(args, '-device').filter((d) => d.startsWith('loader,'))).toEqual([
      'loader,file=/c/vmlinuz-6.12,addr=0x40200000,force-raw=on',
      'loader,file=/a/machine.dtb,addr=0x4c000000,force-raw=on',
      'loader,file=/c/initrd,,real.gz,addr=0x4c100000,force-raw=on',
    ]);
    for (const flag of ['-kernel', '-initrd', '-append', '-dtb']) expect(args).not.toContain(flag);
  });

  it('on xen-el1, enters Xen in the kernel slot at EL2 and loads dom0\'s kernel as a module below the DTB, with no -kernel or guest-loader', () => {
    const xen = { ...secureBoot, kernelImage: '/c/xen', dom0Kernel: '/c/vmlinuz-6.12' };
    const { args, kernelCommandLine } = qemuCommand({ ...base, secureBoot: xen, xen: '/c/xen', profile: PROFILES['xen-el1'] });
    expect(after(args, '-machine')).toEqual(['virt,secure=on,virtualization=on,gic-version=2']);
    expect(after(args, '-device').filter((d) => d.startsWith('loader,'))).toEqual([
      'loader,file=/c/xen,addr=0x40200000,force-raw=on',
      'loader,file=/a/machine.dtb,addr=0x4c000000,force-raw=on',
      'loader,file=/c/initrd,,real.gz,addr=0x4c100000,force-raw=on',
      'loader,file=/c/vmlinuz-6.12,addr=0x41000000,force-raw=on',
    ]);
    expect(args.filter((arg) => arg.startsWith('guest-loader'))).toEqual([]);
    for (const flag of ['-kernel', '-append']) expect(args).not.toContain(flag);
    // dom0's command line, which the generated DT's multiboot module carries.
    expect(kernelCommandLine).toMatch(/^console=hvc0 /);
  });

  it('makes the host channel the second serial, after the console', () => {
    const { args } = qemuCommand({ ...base, profile: PROFILES.el1 });
    expect(after(args, '-serial')).toEqual(['chardev:console0', 'chardev:tz0']);
    expect(after(args, '-chardev')).toContain('socket,id=tz0,path=/tmp/pilot-tz-x/tz.sock');
  });
});
