// `pilot export lava` in one call: load the scenario, find its image URLs (given, or built here with --local), write the job.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildImages } from '../../images/build.ts';
import { buildMachineDtb } from '../../images/devicetree/build-dtb.ts';
import { SIM_SOC_DEVICES, SIM_SOC_MIN_MEMORY_MB } from '../../images/devicetree/soc.ts';
import { qemuCommand } from '../../machine/qemu-command.ts';
import { PROFILES, type ProfileName } from '../../model/profile.ts';
import { loadScenarios, type LoadedScenario } from '../../scenario/load.ts';
import { exportLavaJob, type LavaExportOptions } from './job.ts';
import { STEP_KINDS } from '../../steps/registry.ts';

type Urls = Pick<LavaExportOptions, 'kernelUrl' | 'initrdUrl' | 'dtbUrl' | 'xenUrl'>;

/** Where the job's images come from: URLs the lab serves, or files built on this host (for lava-run here). */
export type LavaImages = { kernelUrl: string; initrdUrl: string; dtbUrl?: string | undefined; xenUrl?: string | undefined } | { localDir: string };

export interface LavaScenarioExport {
  file: string;
  deviceType: string;
  /** Default: the scenario's first profile. */
  profile: ProfileName | undefined;
  images: LavaImages;
  /** Default: standard output. */
  outFile: string | undefined;
}

export async function exportLavaScenario(request: LavaScenarioExport): Promise<void> {
  const [scenario] = await loadScenarios([request.file], STEP_KINDS);
  const profile = request.profile ?? scenario!.profiles[0]!;
  const urls = 'localDir' in request.images ? await localUrls(scenario!, profile, request.images.localDir) : givenUrls(request.images);
  const job = exportLavaJob(scenario!, { deviceType: request.deviceType, profile, ...urls });
  if (request.outFile === undefined) process.stdout.write(job);
  else await writeFile(request.outFile, job);
}

function givenUrls(images: Exclude<LavaImages, { localDir: string }>): Urls {
  return {
    kernelUrl: images.kernelUrl,
    initrdUrl: images.initrdUrl,
    ...(images.dtbUrl ? { dtbUrl: images.dtbUrl } : {}),
    ...(images.xenUrl ? { xenUrl: images.xenUrl } : {}),
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
