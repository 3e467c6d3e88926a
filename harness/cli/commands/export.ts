// `pilot export lava <scenario.yaml> --device-type <type>`: a scenario as a LAVA job definition, for labs that run LAVA.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../../core/errors.ts';
import { buildImages } from '../../images/build.ts';
import { buildMachineDtb } from '../../images/devicetree/build-dtb.ts';
import { SIM_SOC_DEVICES, SIM_SOC_MIN_MEMORY_MB } from '../../images/devicetree/soc.ts';
import { exportLavaJob, type LavaExportOptions } from '../../export/lava/job.ts';
import { PROFILE_NAMES, PROFILES, isProfileName, type ProfileName } from '../../model/profile.ts';
import { qemuCommand } from '../../machine/qemu-command.ts';
import type { LoadedScenario } from '../../scenario/load.ts';
import { loadScenarios } from '../../scenario/load.ts';
import { parseFlags } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { STEP_KINDS } from '../../steps/registry.ts';

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
  if (values.profile !== undefined && !isProfileName(values.profile)) {
    throw new InputError('E_BAD_FLAG', `--profile: expected one of ${PROFILE_NAMES.join(', ')}, got '${values.profile}'`);
  }
  const [scenario] = await loadScenarios(positionals, STEP_KINDS);
  const profile = (values.profile as ProfileName | undefined) ?? scenario!.profiles[0]!;

  const urls = values.local === undefined ? givenUrls(values) : await localUrls(scenario!, profile, values.local);
  const job = exportLavaJob(scenario!, { deviceType, profile, ...urls });
  if (values.out === undefined) process.stdout.write(job);
  else await writeFile(values.out, job);
  return EXIT.passed;
}

type Urls = Pick<LavaExportOptions, 'kernelUrl' | 'initrdUrl' | 'dtbUrl' | 'xenUrl'>;

function givenUrls(values: Record<string, string | boolean | undefined>): Urls {
  const kernelUrl = values['kernel-url'] as string | undefined;
  const initrdUrl = values['initrd-url'] as string | undefined;
  if (!kernelUrl || !initrdUrl) throw new InputError('E_BAD_FLAG', 'pilot export lava: --kernel-url and --initrd-url are required (or --local DIR)');
  const optional = (key: string) => values[key] as string | undefined;
  return {
    kernelUrl,
    initrdUrl,
    ...(optional('dtb-url') ? { dtbUrl: optional('dtb-url') } : {}),
    ...(optional('xen-url') ? { xenUrl: optional('xen-url') } : {}),
  };
}

/** The image cache's own files and a device tree built the way pilot builds it for this profile and the scenario's overlays. */
async function localUrls(scenario: LoadedScenario, profile: ProfileName, dir: string): Promise<Urls> {
  const images = await buildImages();
  const outDir = resolve(dir);
  await mkdir(outDir, { recursive: true });
  const qemuArgs = qemuCommand({
    profile: PROFILES[profile],
    kernelImage: images.kernel.imagePath,
    initramfs: images.initramfsPath,
    xen: images.xenPath,
    sshPort: 0,
    memoryMb: SIM_SOC_MIN_MEMORY_MB,
    devices: [...SIM_SOC_DEVICES],
  }).args;
  const dtb = await buildMachineDtb({ qemuArgs, overlays: scenario.dtbOverlays[profile] ?? [], outPath: join(outDir, `${scenario.name}-${profile}.dtb`) });
  const url = (path: string) => pathToFileURL(path).href;
  return { kernelUrl: url(images.kernel.imagePath), initrdUrl: url(images.initramfsPath), dtbUrl: url(dtb.path), xenUrl: url(images.xenPath) };
}
