// Prepares a stand-in board for the board-target tests: its state folder, standin-board.sh's settings, and a board file
// whose power and console commands call that script. The key reaches pilot the way a lab's would: from an environment variable.
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { join, resolve } from 'node:path';
import { buildMachineDtb } from '../../../harness/images/devicetree/build-dtb.ts';
import { SIM_SOC_DEVICES } from '../../../harness/images/devicetree/soc.ts';
import type { ImageSet } from '../../../harness/images/image-set.ts';
import { freeLoopbackPort } from '../../../harness/machine/free-port.ts';
import type { ProfileName } from '../../../harness/machine/profile.ts';
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
}

export async function prepareStandinBoard(options: StandinBoardOptions): Promise<StandinBoard> {
  const { images, stateDir } = options;
  const port = await freeLoopbackPort();
  const conf = join(stateDir, 'standin.conf');
  await writeFile(conf, [`KERNEL='${images.kernel.imagePath}'`, `INITRD='${images.initramfsPath}'`, `PORT=${port}`, `PROFILE=${options.profile}`, ''].join('\n'));
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
