// The flags of `pilot export`, declared once.
import { PROFILE_NAMES } from '../../model/profile.ts';
import { defineCommand } from '../command-spec.ts';

/** The lab systems a scenario can be exported for. */
export const EXPORT_FORMATS = ['lava'] as const;

export const EXPORT = defineCommand({
  name: 'export',
  summary: 'write a scenario as a job for another lab system (lava)',
  operands: 'lava <scenario.yaml> --device-type TYPE',
  about: [
    'Writes the scenario as a LAVA job definition: deploy and boot actions for the device type, and an inline',
    'test definition whose test cases carry pilot\'s step titles. Device type qemu boots pilot\'s QEMU machine for',
    'the profile; any other device type is a board booted by U-Boot from TFTP.',
  ].join('\n'),
  flags: {
    'device-type': { value: 'TYPE', description: 'LAVA device type (qemu, or a board\'s, e.g. sa8775p-ride)' },
    profile: { alias: 'p', value: 'P', description: `the scenario profile the job stands for: ${PROFILE_NAMES.join(', ')}`, default: 'its first' },
    out: { alias: 'o', value: 'FILE', description: 'write the job to FILE instead of standard output' },
    'kernel-url': { value: 'U', description: 'kernel image URL' },
    'initrd-url': { value: 'U', description: 'pilot initramfs URL (gzip\'d newc cpio)' },
    'dtb-url': { value: 'U', description: 'device tree URL (with the scenario\'s overlays)' },
    'xen-url': { value: 'U', description: 'Xen image URL (xen-el1 on qemu)' },
    local: {
      value: 'DIR',
      description: 'build the images and the machine device tree, copy-free: URLs are file:// paths on this\nhost, and the device tree is written to DIR (for lava-run on this machine)',
    },
  },
});
