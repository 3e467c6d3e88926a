// Prepares a stand-in board for the board-target tests: its state folder, standin-board.sh's settings, and a board file
// whose power and console commands call that script. The key reaches pilot the way a lab's would: from an environment variable.
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { buildBootDisk } from '../../../harness/machine/boot-disk.ts';
import { PROFILES } from '../../../harness/model/profile.ts';
import { execa } from 'execa';
import { join, resolve } from 'node:path';
import { buildMachineDtb } from '../../../harness/images/devicetree/build-dtb.ts';
import { SIM_SOC_DEVICES } from '../../../harness/images/devicetree/soc.ts';
import type { ImageSet } from '../../../harness/images/image-set.ts';
import { freeLoopbackPort } from '../../../harness/machine/free-port.ts';
import type { ProfileName } from '../../../harness/model/profile.ts';
import { alive } from './processes.ts';

export const STANDIN_SCRIPT = resolve(import.meta.dirname, 'standin-board.sh');
export const STANDIN_KEY_ENV = 'PILOT_STANDIN_BOARD_KEY';

export interface StandinBoard {
  stateDir: string;
  port: number;
  boardFile: string;
  /** The stand-in QEMU's pid while it is powered on. */
  qemuPid(): Promise<number | undefined>;
  /** Cleanup for afterAll: kills the stand-in's QEMU if a test left it on. */
  forceOff(): Promise<void>;
}

export interface StandinBoardOptions {
  images: ImageSet;
  stateDir: string;
  profile: ProfileName;
  /** Extra board-file lines, e.g. "boot-timeout: 20s". */
  extra?: string[];
  /** Replaces the power-on command (a board whose power-on starts nothing). */
  powerOn?: string;
  /** Give the board the simulated SoC: its DMA masters, and a device tree with its nodes and these overlays, as a board's firmware would. */
  socOverlays?: string[];
  /**
   * 'u-boot': the stand-in boots Debian's U-Boot from its firmware flash, which reads the kernel from a virtio disk with a
   * PILOTBOOT partition, and a reboot comes back through it; the board file then says `bootloader: u-boot`.
   */
  bootloader?: 'u-boot';
  /** The board's own initramfs: put on its boot disk (u-boot) or given to QEMU, and named by the board file's initramfs:. */
  initramfs?: string;
}

/** The command line the stand-in's kernel gets, with or without U-Boot: a stock board's, without printk.devkmsg=on. */
const STANDIN_COMMAND_LINE = 'console=ttyAMA0 panic=-1';

export async function prepareStandinBoard(options: StandinBoardOptions): Promise<StandinBoard> {
  const { images, stateDir } = options;
  const port = await freeLoopbackPort();
  const conf = join(stateDir, 'standin.conf');
  const initramfs = options.initramfs ?? images.initramfsPath;
  await writeFile(conf, [`KERNEL='${images.kernel.imagePath}'`, `INITRD='${initramfs}'`, `PORT=${port}`, `PROFILE=${options.profile}`, ''].join('\n'));
  if (options.bootloader === 'u-boot') {
    // Image preparation, as a lab flashes a board once: the disk and the env flash come from pilot's builder, the QEMU command from the script.
    const disk = await buildBootDisk({
      dir: stateDir,
      profile: PROFILES[options.profile],
      kernelImage: images.kernel.imagePath,
      initramfs,
      kernelCommandLine: STANDIN_COMMAND_LINE,
    });
    await appendFile(conf, [`BOOTLOADER=u-boot`, `DISK='${disk.disk}'`, `ENVFLASH='${disk.envFlash}'`, ''].join('\n'));
  }
  if (options.socOverlays) {
    await appendFile(conf, `DEVICES='${SIM_SOC_DEVICES.join(' ')}'\n`);
    // The tree is made for the script's own QEMU arguments, as QEMU would generate it for that machine.
    const { stdout } = await execa('sh', [STANDIN_SCRIPT, 'args', stateDir]);
    const dtb = await buildMachineDtb({ qemuArgs: stdout.split('\n').filter(Boolean), overlays: options.socOverlays, outPath: join(stateDir, 'board.dtb') });
    await appendFile(conf, `DTB='${dtb.path}'\n`);
  }
  // The image set's key, handed over as a lab would: its text in an environment variable, never in the file.
  process.env[STANDIN_KEY_ENV] = await readFile(images.sshKey.privateKeyPath, 'utf8');
  const boardFile = join(stateDir, 'board.yaml');
  await writeFile(
    boardFile,
    [
      'name: standin',
      'description: QEMU started by standin-board.sh, reached only through its forwarded SSH port',
      'host: 127.0.0.1',
      `port: ${port}`,
      'user: root',
      `key-env: ${STANDIN_KEY_ENV}`,
      `profile: ${options.profile}`,
      `power-on: ${JSON.stringify(options.powerOn ?? `sh ${STANDIN_SCRIPT} start ${stateDir}`)}`,
      `power-off: ${JSON.stringify(`sh ${STANDIN_SCRIPT} stop ${stateDir}`)}`,
      `console: ${JSON.stringify(`sh ${STANDIN_SCRIPT} console ${stateDir}`)}`,
      ...(options.bootloader ? [`bootloader: ${options.bootloader}`] : []),
      ...(options.initramfs ? [`initramfs: ${JSON.stringify(options.initramfs)}`] : []),
      ...(options.extra ?? []),
      '',
    ].join('\n'),
  );
  const qemuPid = async () => {
    const text = await readFile(join(stateDir, 'qemu.pid'), 'utf8').catch(() => undefined);
    const pid = text === undefined ? undefined : Number(text.trim());
    return pid !== undefined && alive(pid) ? pid : undefined;
  };
  return {
    stateDir,
    port,
    boardFile,
    qemuPid,
    forceOff: async () => {
      const pid = await qemuPid();
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
    },
  };
}
