// The LAVA `qemu` device type's job context and image arguments, derived from pilot's own QEMU command line for the
// profile, so an exported job boots the machine pilot boots. LAVA's template owns the console, the monitor and the
// network, so those flags are left to it.
import { SIM_SOC_DEVICES, SIM_SOC_MIN_MEMORY_MB } from '../../images/devicetree/soc.ts';
import type { Profile } from '../../model/profile.ts';
import { qemuCommand } from '../../machine/qemu-command.ts';

export interface QemuImageArgs {
  /** Image key (kernel, initrd, dtb, xen) → LAVA image_arg, with {key} where LAVA puts the downloaded file. */
  imageArgs: Record<string, string>;
  context: { arch: string; machine: string; cpu: string; memory: number; extra_options: string[] };
  kernelCommandLine: string;
}

/** Flags LAVA's qemu template provides itself (console, monitor, network) or that undo its defaults. */
const LEFT_TO_LAVA = new Set(['-nodefaults', '-no-user-config', '-display', '-monitor', '-chardev', '-serial', '-netdev']);
const TAKES_VALUE = new Set(['-machine', '-cpu', '-smp', '-m', '-display', '-monitor', '-chardev', '-serial', '-netdev', '-device', '-dtb', '-kernel', '-initrd', '-append']);
const PLACEHOLDER = /\{(kernel|initrd|dtb|xen)\}/;

export function qemuImageArgs(profile: Profile, options: { dtb: boolean; soc?: boolean }): QemuImageArgs {
  const soc = options.soc ?? true;
  const command = qemuCommand({
    profile,
    kernelImage: '{kernel}',
    initramfs: '{initrd}',
    xen: '{xen}',
    dtb: options.dtb ? '{dtb}' : undefined,
    sshPort: 0,
    memoryMb: SIM_SOC_MIN_MEMORY_MB,
    devices: soc ? [...SIM_SOC_DEVICES] : [],
  });
  const context: QemuImageArgs['context'] = { arch: 'arm64', machine: 'virt', cpu: 'max', memory: SIM_SOC_MIN_MEMORY_MB, extra_options: [] };
  const imageArgs: Record<string, string> = {};
  let bootImage: string | undefined;
  const { args } = command;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = TAKES_VALUE.has(flag) ? args[++i] : undefined;
    if (LEFT_TO_LAVA.has(flag)) continue;
    if (flag === '-machine') context.machine = value!;
    else if (flag === '-cpu') context.cpu = value!;
    else if (flag === '-m') context.memory = Number(value);
    else if (flag === '-append') imageArgs[bootImage!] += ` -append ${quote(value!)}`;
    else if (flag === '-device' && value!.startsWith('virtio-net-pci,netdev=net0')) continue;
    else if (value !== undefined && PLACEHOLDER.test(value)) {
      const key = PLACEHOLDER.exec(value)![1]!;
      if (flag === '-kernel') bootImage = key;
      imageArgs[key] = `${imageArgs[key] ? `${imageArgs[key]} ` : ''}${flag} ${quote(value)}`;
    } else context.extra_options.push(value === undefined ? flag : `${flag} ${value}`);
  }
  return { imageArgs, context, kernelCommandLine: command.kernelCommandLine };
}

/** LAVA passes image_arg through a shell-like split, so a value with spaces is double-quoted. */
function quote(value: string): string {
  return /[\s"]/.test(value) ? `"${value.replace(/(["\\$`])/g, '\\$1')}"` : value;
}
