// `pilot export lava <scenario.yaml> --device-type <type>`: flags checked here; the job written by exportLavaScenario.
import { InputError } from '../../core/errors.ts';
import { exportLavaScenario } from '../../export/lava/export-scenario.ts';
import { PROFILE_NAMES, isProfileName } from '../../model/profile.ts';
import { parseFlags } from '../args.ts';
import { EXIT } from '../exit-codes.ts';

const HELP = `usage: pilot export lava <scenario.yaml> --device-type TYPE [options]

Writes the scenario as a LAVA job definition: deploy and boot actions for the device type, and an inline
test definition whose test cases carry pilot's step titles. Device type qemu boots pilot's QEMU machine for
the profile; any other device type is a board booted by U-Boot from TFTP.

options:
      --device-type TYPE  LAVA device type (qemu, or a board's, e.g. sa8775p-ride)
  -p, --profile P         the scenario profile the job stands for (default: its first): ${PROFILE_NAMES.join(', ')}
  -o, --out FILE          write the job to FILE instead of standard output
      --kernel-url U      kernel image URL
      --initrd-url U      pilot initramfs URL (gzip'd newc cpio)
      --dtb-url U         device tree URL (with the scenario's overlays)
      --xen-url U         Xen image URL (xen-el1 on qemu)
      --local DIR         build the images and the machine device tree, copy-free: URLs are file:// paths on this
                          host, and the device tree is written to DIR (for lava-run on this machine)
  -h, --help`;

export async function exportCommand(argv: string[]): Promise<number> {
  const [format, ...rest] = argv;
  if (format === '--help' || format === '-h' || format === undefined) {
    process.stdout.write(HELP + '\n');
    return format === undefined ? EXIT.error : EXIT.passed;
  }
  if (format !== 'lava') throw new InputError('E_BAD_FLAG', `pilot export: unknown format '${format}' (known: lava)`);
  const { values, positionals } = parseFlags('export', rest, {
    'device-type': { type: 'string' },
    profile: { type: 'string', short: 'p' },
    out: { type: 'string', short: 'o' },
    'kernel-url': { type: 'string' },
    'initrd-url': { type: 'string' },
    'dtb-url': { type: 'string' },
    'xen-url': { type: 'string' },
    local: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.passed;
  }
  if (positionals.length !== 1) throw new InputError('E_BAD_FLAG', 'pilot export lava: give exactly one scenario file (see pilot export --help)');
  const deviceType = values['device-type'];
  if (!deviceType) throw new InputError('E_BAD_FLAG', 'pilot export lava: --device-type is required (e.g. qemu)');
  const profile = values.profile;
  if (profile !== undefined && !isProfileName(profile)) throw new InputError('E_BAD_FLAG', `--profile: expected one of ${PROFILE_NAMES.join(', ')}, got '${profile}'`);
  if (values.local === undefined && (!values['kernel-url'] || !values['initrd-url'])) {
    throw new InputError('E_BAD_FLAG', 'pilot export lava: --kernel-url and --initrd-url are required (or --local DIR)');
  }
  await exportLavaScenario({
    file: positionals[0]!,
    deviceType,
    profile,
    images: values.local === undefined
      ? { kernelUrl: values['kernel-url']!, initrdUrl: values['initrd-url']!, dtbUrl: values['dtb-url'], xenUrl: values['xen-url'] }
      : { localDir: values.local },
    outFile: values.out,
  });
  return EXIT.passed;
}
