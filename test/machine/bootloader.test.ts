// U-Boot boot mode: the QEMU flags, the boot disk and env flash built on the host, and the console watch that ends a boot loop.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssertionFailure, InfraError, InputError } from '../../harness/core/errors.ts';
import { missingToolError } from '../../harness/host/process.ts';
import { dtbShapingArgs } from '../../harness/images/devicetree/qemu-dump.ts';
import {
  BOOT_PARTITION_LABEL,
  UBOOT_ENVIRONMENT,
  buildBootDisk,
  pilotEnvText,
  readBootPartitionFile,
  runBootTool,
  type BootToolRunner,
} from '../../harness/machine/boot-disk.ts';
import { ResetGuard, watchBootloaderBoots } from '../../harness/machine/boot-watch.ts';
import { UBOOT_FIRMWARE } from '../../harness/machine/bootloader.ts';
import { PROFILES } from '../../harness/model/profile.ts';
import { XEN_COMMAND_LINE, qemuCommand } from '../../harness/machine/qemu-command.ts';
import { SerialConsole } from '../../harness/machine/serial-console.ts';
import { rejectionOf } from '../fakes/rejection.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pilot-bootloader-'));
  await writeFile(join(dir, 'Image'), Buffer.alloc(64 * 1024, 7));
  await writeFile(join(dir, 'initramfs.cpio.gz'), 'initramfs bytes');
  await writeFile(join(dir, 'xen'), 'xen bytes');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function optionAfter(args: string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1]!] : []));
}

describe('qemuCommand with a bootloader', () => {
  const base = { kernelImage: '/c/vmlinuz', initramfs: '/c/initrd.gz', xen: '/c/xen', sshPort: 40022, dtb: '/r/machine.dtb' };
  const bootloader = { disk: '/r/boot-disk.img', envFlash: '/r/uboot-env.flash' };

  it.each(['kvm-el2', 'xen-el1', 'el1'] as const)('%s: U-Boot reads the disk instead of -kernel, guest-loader and -no-reboot', (name) => {
    const { args, kernelCommandLine } = qemuCommand({ ...base, profile: PROFILES[name], bootloader, devices: ['edu,addr=0x10'] });
    expect(optionAfter(args, '-bios')).toEqual([UBOOT_FIRMWARE]);
    expect(optionAfter(args, '-drive')).toEqual(['if=pflash,unit=1,format=raw,file=/r/uboot-env.flash', 'if=none,id=boot0,file=/r/boot-disk.img,format=raw']);
    expect(optionAfter(args, '-device')).toEqual(['virtio-net-pci,netdev=net0,romfile=', 'edu,addr=0x10', 'virtio-blk-pci,drive=boot0']);
    for (const gone of ['-kernel', '-initrd', '-append', '-no-reboot']) expect(args).not.toContain(gone);
    expect(optionAfter(args, '-dtb')).toEqual(['/r/machine.dtb']);
    expect(optionAfter(args, '-netdev')[0]).toContain('hostfwd=tcp:127.0.0.1:40022-:22');
    // The command line still exists: it goes into pilot.env.
    expect(kernelCommandLine).toContain(name === 'xen-el1' ? 'console=hvc0' : 'console=ttyAMA0');
  });

  it('keeps -bios for the device-tree dump, which changes the tree (PL061 GPIO becomes an ACPI GED)', () => {
    const { args } = qemuCommand({ ...base, profile: PROFILES['kvm-el2'], bootloader });
    const kept = dtbShapingArgs(args);
    expect(optionAfter(kept, '-bios')).toEqual([UBOOT_FIRMWARE]);
    expect(kept).not.toContain('-drive');
  });
});

describe('pilotEnvText', () => {
  it('writes bootargs for Linux and dom0 plus Xen bootargs under Xen', () => {
    expect(pilotEnvText(PROFILES['kvm-el2'], 'console=ttyAMA0 panic=-1')).toBe('bootargs=console=ttyAMA0 panic=-1\n');
    expect(pilotEnvText(PROFILES['xen-el1'], 'console=hvc0')).toBe(`xen_bootargs=${XEN_COMMAND_LINE}\ndom0_bootargs=console=hvc0\n`);
  });

  it('refuses a command line with a line break, which would inject another variable', () => {
    expect(() => pilotEnvText(PROFILES.el1, 'quiet\nbootcmd=reset')).toThrow(InputError);
  });
});

describe('buildBootDisk with the real host tools', () => {
  it('makes an MBR disk whose FAT partition carries the script, the kernel, the initramfs, pilot.env and Xen', async () => {
    const out = await mkdtemp(join(dir, 'xen-'));
    const disk = await buildBootDisk({
      dir: out,
      profile: PROFILES['xen-el1'],
      kernelImage: join(dir, 'Image'),
      initramfs: join(dir, 'initramfs.cpio.gz'),
      xen: join(dir, 'xen'),
      kernelCommandLine: 'console=hvc0 panic=-1',
    });
    expect(disk.files.sort()).toEqual(['Image', 'boot.scr', 'initramfs.cpio.gz', 'pilot.env', 'xen']);
    const table = execFileSync('/usr/sbin/sfdisk', ['-d', disk.disk], { encoding: 'utf8' });
    expect(table).toMatch(/start=\s*2048, size=\s*262144, type=c/);
    const label = execFileSync('mlabel', ['-s', '-i', `${disk.disk}@@1M`, '::'], { encoding: 'utf8' });
    expect(label).toContain(BOOT_PARTITION_LABEL);
    expect(await readBootPartitionFile(disk.disk, 'pilot.env', out)).toBe(`xen_bootargs=${XEN_COMMAND_LINE}\ndom0_bootargs=console=hvc0 panic=-1\n`);
    expect(await readBootPartitionFile(disk.disk, 'xen', out)).toBe('xen bytes');
    const image = await readBootPartitionFile(disk.disk, 'Image', out);
    expect(image.length).toBe(64 * 1024);
    // mkimage wrapped boot.cmd in a legacy image header (magic 0x27051956) of type script.
    const script = Buffer.from(await readBootPartitionFile(disk.disk, 'boot.scr', out), 'latin1');
    expect(script.subarray(0, 4).toString('hex')).toBe('27051956');
    // The environment flash: a 64 MiB bank whose first 256 KiB are a CRC'd env holding the load addresses and the bootcmd.
    expect((await stat(disk.envFlash)).size).toBe(64 * 1024 * 1024);
    // CRC, then name=value strings each ended by a NUL, then a second NUL; mkenvimage pads the rest with 0xff.
    const env = (await readFile(disk.envFlash)).subarray(4, 0x40000).toString('latin1').split('\0\0')[0]!.split('\0');
    expect(env).toEqual(UBOOT_ENVIRONMENT);
  });

  it('leaves Xen off the disk for kvm-el2, so boot.cmd takes the Linux path', async () => {
    const out = await mkdtemp(join(dir, 'kvm-'));
    const disk = await buildBootDisk({ dir: out, profile: PROFILES['kvm-el2'], kernelImage: join(dir, 'Image'), initramfs: join(dir, 'initramfs.cpio.gz'), xen: join(dir, 'xen'), kernelCommandLine: 'x' });
    expect(disk.files).not.toContain('xen');
    expect(await readBootPartitionFile(disk.disk, 'pilot.env', out)).toBe('bootargs=x\n');
  });
});

describe('buildBootDisk with a fake tool runner', () => {
  const recording = (missing?: string) => {
    const calls: string[][] = [];
    const run: BootToolRunner = async (file, args, options) => {
      calls.push([file, ...args, ...(options.input ? [`<<${options.input.trim()}`] : [])]);
      if (file === missing) throw missingToolError(file, 'building the U-Boot boot disk', 'E_BOOT_DISK_TOOL');
      // mkenvimage's output is read back; create it as the real tool would.
      const output = args.indexOf('-o');
      if (file === 'mkenvimage' && output >= 0) await writeFile(args[output + 1]!, Buffer.alloc(0x40000));
    };
    return { calls, run };
  };

  it('partitions, formats at 1 MiB and copies each file onto the partition by offset', async () => {
    const out = await mkdtemp(join(dir, 'fake-'));
    const { calls, run } = recording();
    await buildBootDisk({ dir: out, profile: PROFILES.el1, kernelImage: join(dir, 'Image'), initramfs: join(dir, 'initramfs.cpio.gz'), kernelCommandLine: 'x' }, run);
    const disk = join(out, 'boot-disk.img');
    expect(calls.map((call) => call[0])).toEqual(['mkimage', 'sfdisk', 'mkfs.vfat', 'mcopy', 'mcopy', 'mcopy', 'mcopy', 'mkenvimage']);
    expect(calls[1]).toEqual(['sfdisk', '-q', disk, '<<start=2048, type=c']);
    expect(calls[2]).toEqual(['mkfs.vfat', '--offset=2048', '-n', 'PILOTBOOT', disk, '131072']);
    expect(calls.filter((call) => call[0] === 'mcopy').map((call) => call.at(-1))).toEqual(['::boot.scr', '::pilot.env', '::Image', '::initramfs.cpio.gz']);
    expect((await stat(disk)).size).toBe(129 * 1024 * 1024);
  });

  it('the real runner turns a tool that is not on PATH into E_BOOT_DISK_TOOL', async () => {
    const error = await rejectionOf(runBootTool('pilot-no-such-tool', [], {}), InfraError);
    expect(error.code).toBe('E_BOOT_DISK_TOOL');
    expect(error.message).toContain('pilot-no-such-tool is not installed');
  });

  it('names the missing tool and its Debian package', async () => {
    const out = await mkdtemp(join(dir, 'missing-'));
    const { run } = recording('mkfs.vfat');
    const error = await rejectionOf(
      buildBootDisk({ dir: out, profile: PROFILES.el1, kernelImage: join(dir, 'Image'), initramfs: join(dir, 'initramfs.cpio.gz'), kernelCommandLine: 'x' }, run),
      InfraError,
    );
    expect(error.code).toBe('E_BOOT_DISK_TOOL');
    expect(error.message).toContain('mkfs.vfat is not installed');
    expect(error.hint).toBe('apt-get install dosfstools');
  });

  it('refuses xen-el1 without Xen and an Image too big for boot.cmd before running any tool', async () => {
    const { calls, run } = recording();
    const spec = { dir, initramfs: join(dir, 'initramfs.cpio.gz'), kernelCommandLine: 'x' };
    await expect(buildBootDisk({ ...spec, profile: PROFILES['xen-el1'], kernelImage: join(dir, 'Image') }, run)).rejects.toMatchObject({ code: 'E_BOOT_DISK' });
    const big = join(dir, 'Image-big');
    await writeFile(big, '');
    await (await import('node:fs/promises')).truncate(big, 61 * 1024 * 1024);
    await expect(buildBootDisk({ ...spec, profile: PROFILES['kvm-el2'], kernelImage: big }, run)).rejects.toMatchObject({ code: 'E_BOOT_IMAGE_TOO_BIG' });
    expect(calls).toEqual([]);
  });
});

describe('watchBootloaderBoots', () => {
  let serial: SerialConsole;
  beforeAll(() => {
    serial = new SerialConsole(join(dir, 'serial.log'));
  });
  afterAll(async () => {
    await serial.close();
  });
  const banner = 'U-Boot 2023.01+dfsg-2+deb12u3 (Jun 22 2026 - 08:38:07 +0000)';

  it('lets one banner and a kernel boot through', async () => {
    const watch = watchBootloaderBoots(serial);
    let failed: unknown;
    watch.failed.catch((error: unknown) => (failed = error));
    serial.feed(`\r\n${banner}\r\nStarting kernel ...\r\n[    0.1] Booting Linux\r\npilot-guest-ready boot_id=x release=y\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    watch.dispose();
    expect(failed).toBeUndefined();
  });

  it('fails with F_KERNEL_PANIC and the trace from its first line when the kernel panics', async () => {
    const watch = watchBootloaderBoots(serial, { panicTraceMs: 5000 });
    const started = Date.now();
    serial.feed(`${banner}\nStarting kernel ...\n[    2.9] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\n`);
    serial.feed('[    2.9] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0-56-rt-arm64 #1\n[    2.9] ---[ end Kernel panic - not syncing: VFS ]---\n');
    const error = await rejectionOf(watch.failed, AssertionFailure);
    // The end marker, not the 5 s trace timer, ended the wait.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error.code).toBe('F_KERNEL_PANIC');
    expect(error.evidence[1]).toContain('Kernel panic - not syncing: VFS');
    expect(error.evidence.join('\n')).toContain('6.1.0-56-rt-arm64');
  });

  it('fails with F_KERNEL_PANIC at the next banner when the panic has no end marker', async () => {
    const watch = watchBootloaderBoots(serial, { panicTraceMs: 5000 });
    serial.feed(`${banner}\n(XEN) Panic on CPU 0:\n(XEN) something\n${banner}\n`);
    const error = await rejectionOf(watch.failed, AssertionFailure);
    expect(error.code).toBe('F_KERNEL_PANIC');
    expect(error.evidence).toContain('(XEN) something');
  });

  it('fails with F_BOOT_LOOP at a second banner without a panic line', async () => {
    const watch = watchBootloaderBoots(serial);
    serial.feed(`${banner}\nStarting kernel ...\n[    0.5] something silent\n${banner}\n`);
    const error = await rejectionOf(watch.failed, AssertionFailure);
    expect(error.code).toBe('F_BOOT_LOOP');
    expect(error.evidence).toContain('[    0.5] something silent');
  });

  it("fails with E_UBOOT_BOOT_FAILED quoting U-Boot's own complaint", async () => {
    const watch = watchBootloaderBoots(serial);
    serial.feed(`${banner}\n4096 bytes read in 2 ms\nBad Linux ARM64 Image magic!\npilot-boot-failed\n=> `);
    const error = await rejectionOf(watch.failed, InfraError);
    expect(error.code).toBe('E_UBOOT_BOOT_FAILED');
    expect(error.message).toContain('Bad Linux ARM64 Image magic!');
  });

  it('stops listening once disposed', async () => {
    const watch = watchBootloaderBoots(serial);
    watch.dispose();
    let failed: unknown;
    watch.failed.catch((error: unknown) => (failed = error));
    serial.feed(`${banner}\n${banner}\npilot-boot-failed\n`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(failed).toBeUndefined();
  });
});

describe('ResetGuard', () => {
  const banner = 'U-Boot 2023.01+dfsg-2+deb12u3 (Jun 22 2026 - 08:38:07 +0000)';
  let serial: SerialConsole;
  beforeAll(() => {
    serial = new SerialConsole(join(dir, 'serial-guard.log'));
  });
  afterAll(async () => {
    await serial.close();
  });

  it('turns any reset while armed into the machine dying, and stops it', async () => {
    let stops = 0;
    const guard = new ResetGuard(serial, () => stops++);
    guard.arm();
    serial.feed(`[  100.0] sysrq: Trigger a crash\n[  100.0] Kernel panic - not syncing: sysrq triggered crash\n${banner}\n`);
    const error = await rejectionOf(guard.died, AssertionFailure);
    expect(error.code).toBe('F_KERNEL_PANIC');
    expect(error.evidence[1]).toContain('sysrq: Trigger a crash');
    expect(stops).toBe(1);
  });

  it('lets an awaited reboot through while paused, and watches again once re-armed', async () => {
    let stops = 0;
    const guard = new ResetGuard(serial, () => stops++);
    guard.arm();
    guard.pause();
    serial.feed(`${banner}\nStarting kernel ...\npilot-guest-ready boot_id=b release=r\n`);
    guard.arm();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stops).toBe(0);
    serial.feed(`${banner}\n`);
    const error = await rejectionOf(guard.died, AssertionFailure);
    expect(error.code).toBe('F_BOOT_LOOP');
    expect(stops).toBe(1);
  });
});
