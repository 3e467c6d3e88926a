// Boots the simulated SoC under QEMU on a profile: the pipeline's kernel and initramfs, plus an appended archive holding the
// module, its dependencies, the firmware and a test /init that runs one shell script, prints the kernel log and powers off.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildMachineDtb } from '../../../harness/images/devicetree/build-dtb.ts';
import { SIM_SOC_DEVICES } from '../../../harness/images/devicetree/soc.ts';
import { generateFirmware } from '../../../harness/images/firmware/generate.ts';
import { writeGzippedCpio, type CpioEntry } from '../../../harness/images/cpio.ts';
import { SIM_MODULE_DEFINES, buildSimModule } from '../../../harness/images/sim-module/build-module.ts';
import type { ImageSet } from '../../../harness/images/image-set.ts';
import { freeLoopbackPort } from '../../../harness/machine/free-port.ts';
import { PROFILES, type ProfileName } from '../../../harness/model/profile.ts';
import { qemuCommand } from '../../../harness/machine/qemu-command.ts';
import { guestImages } from './kernel.ts';


const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t debugfs debugfs /sys/kernel/debug
dmesg -n 1
echo "=== SIM BEGIN"
sh /sim/test.sh
echo "=== SIM END"
echo "=== DMESG BEGIN"
dmesg
echo "=== DMESG END"
poweroff -f
`;

export interface SimBootOptions {
  profile: ProfileName;
  overlays: string[];
  /** Shell run after mounting; /sim holds mc.ko, videodev.ko and qcom_pas_sim.ko. */
  script: string;
  variant?: 'default' | 'skip-map';
  timeoutMs?: number;
}

export interface SimBootResult {
  /** What the script printed. */
  report: string;
  /** The kernel log at the end. */
  dmesg: string;
  console: string;
}

interface Prepared {
  images: ImageSet;
  workDir: string;
  modules: Record<'default' | 'skip-map', string>;
  firmwareEntries: CpioEntry[];
}

let prepared: Promise<Prepared> | undefined;

async function prepare(workDir: string): Promise<Prepared> {
  const images = await guestImages();
  const build = { buildDir: images.kernel.buildDir!, release: images.kernel.release };
  const [plain, skip, firmware] = await Promise.all([
    buildSimModule({ ...build, outDir: join(workDir, 'module') }),
    buildSimModule({ ...build, outDir: join(workDir, 'module-skip'), defines: [SIM_MODULE_DEFINES.skipCarveoutMap] }),
    generateFirmware(join(workDir, 'firmware')),
  ]);
  // The kernel's unpacker creates no missing parents, so every folder gets its own entry.
  const files = firmware.images.map((i) => `lib/firmware/${i.name}`);
  const folders = new Set(files.flatMap((file) => file.split('/').slice(0, -1).map((_, n, parts) => parts.slice(0, n + 1).join('/'))));
  const firmwareEntries: CpioEntry[] = [
    ...[...folders].map((path): CpioEntry => ({ type: 'dir', path, mode: 0o755 })),
    ...firmware.images.map((i, n): CpioEntry => ({ type: 'file', path: files[n]!, mode: 0o644, source: i.path })),
  ];
  return { images, workDir, modules: { default: plain, 'skip-map': skip }, firmwareEntries };
}

export function prepareSim(workDir: string): Promise<Prepared> {
  prepared ??= prepare(workDir);
  return prepared;
}

function between(text: string, begin: string, end: string): string {
  const start = text.indexOf(begin);
  const stop = text.indexOf(end, start);
  return start < 0 ? '' : text.slice(start + begin.length, stop < 0 ? undefined : stop).replaceAll('\r', '');
}

export async function bootSim(workDir: string, options: SimBootOptions): Promise<SimBootResult> {
  const { images, modules, firmwareEntries } = await prepareSim(workDir);
  const name = `${options.profile}-${options.overlays.join('+') || 'base'}-${options.variant ?? 'default'}`;
  const dir = join(workDir, name);
  await mkdir(dir, { recursive: true });

  const moduleDir = join(images.kernel.modulesRoot, 'lib/modules', images.kernel.release, 'kernel/drivers/media');
  const overlay = join(dir, 'sim.cpio.gz');
  await writeGzippedCpio(overlay, [
    { type: 'file', path: 'init', mode: 0o755, source: Buffer.from(INIT) },
    { type: 'dir', path: 'sim', mode: 0o755 },
    { type: 'file', path: 'sim/test.sh', mode: 0o755, source: Buffer.from(options.script) },
    { type: 'file', path: 'sim/mc.ko', mode: 0o644, source: join(moduleDir, 'mc/mc.ko') },
    { type: 'file', path: 'sim/videodev.ko', mode: 0o644, source: join(moduleDir, 'v4l2-core/videodev.ko') },
    { type: 'file', path: 'sim/qcom_pas_sim.ko', mode: 0o644, source: modules[options.variant ?? 'default'] },
    ...firmwareEntries,
  ]);
  // The kernel unpacks concatenated archives in order; the later /init wins.
  const initramfs = join(dir, 'initramfs.cpio.gz');
  await writeFile(initramfs, Buffer.concat([await readFile(images.initramfsPath), await readFile(overlay)]));

  const spec = {
    profile: PROFILES[options.profile],
    kernelImage: images.kernel.imagePath,
    initramfs,
    xen: images.xenPath,
    sshPort: await freeLoopbackPort(),
    devices: [...SIM_SOC_DEVICES],
  };
  const dtb = await buildMachineDtb({ qemuArgs: qemuCommand(spec).args, overlays: options.overlays, outPath: join(dir, 'machine.dtb') });
  const command = qemuCommand({ ...spec, dtb: dtb.path });
  const result = await execa(command.file, command.args, { timeout: options.timeoutMs ?? 240_000, reject: false, stdin: 'ignore', all: true });
  const console = String(result.all ?? '');
  await writeFile(join(dir, 'console.log'), console);
  if (!console.includes('=== DMESG END')) {
    throw new Error(`${name}: the guest did not finish (exit ${result.exitCode ?? result.signal}); see ${join(dir, 'console.log')}\n${console.slice(-3000)}`);
  }
  return { report: between(console, '=== SIM BEGIN', '=== SIM END'), dmesg: between(console, '=== DMESG BEGIN', '=== DMESG END'), console };
}

/** "key value…" lines of the report, by key. */
export function reportValues(report: string, key: string): string[] {
  return report
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith(`${key} `))
    .map((line) => line.slice(key.length + 1));
}

/** Kernel log lines without their timestamps. */
export function kernelLines(dmesg: string): string[] {
  return dmesg.split('\n').map((line) => line.replace(/^\[\s*\d+\.\d+\]\s?/, '').trim()).filter(Boolean);
}
