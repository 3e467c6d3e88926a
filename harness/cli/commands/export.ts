// `pilot export lava <scenario.yaml> --device-type <type>`: flags checked here; the job written by exportLavaScenario.
import { InputError } from '../../core/errors.ts';
import { exportLavaScenario } from '../../export/lava/export-scenario.ts';
import { PROFILE_NAMES, isProfileName } from '../../model/profile.ts';
import { EXIT } from '../exit-codes.ts';
import { parseCommandLine } from '../parse-command-line.ts';
import { printHelp } from '../render-help.ts';
import { EXPORT, EXPORT_FORMATS } from '../specs/export.ts';

export async function exportCommand(argv: string[]): Promise<number> {
  const { help, values, positionals } = parseCommandLine(EXPORT, argv);
  if (help) return printHelp(EXPORT);
  const [format, ...files] = positionals;
  // Bare `pilot export` shows what it takes, but a script calling it so has done something wrong.
  if (format === undefined) {
    printHelp(EXPORT);
    return EXIT.error;
  }
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new InputError('E_BAD_FLAG', `pilot export: unknown format '${format}' (known: ${EXPORT_FORMATS.join(', ')})`);
  if (files.length !== 1) throw new InputError('E_BAD_FLAG', 'pilot export lava: give exactly one scenario file (see pilot export --help)');
  const deviceType = values['device-type'];
  if (!deviceType) throw new InputError('E_BAD_FLAG', 'pilot export lava: --device-type is required (e.g. qemu)');
  const profile = values.profile;
  if (profile !== undefined && !isProfileName(profile)) throw new InputError('E_BAD_FLAG', `--profile: expected one of ${PROFILE_NAMES.join(', ')}, got '${profile}'`);
  if (values.local === undefined && (!values['kernel-url'] || !values['initrd-url'])) {
    throw new InputError('E_BAD_FLAG', 'pilot export lava: --kernel-url and --initrd-url are required (or --local DIR)');
  }
  await exportLavaScenario({
    file: files[0]!,
    deviceType,
    profile,
    images: values.local === undefined
      ? { kernelUrl: values['kernel-url']!, initrdUrl: values['initrd-url']!, dtbUrl: values['dtb-url'], xenUrl: values['xen-url'] }
      : { localDir: values.local },
    outFile: values.out,
  });
  return EXIT.passed;
}
