// The one switch between pilot's two backends, QEMU and a lab board: a run's machine and its deployers both follow from it.
import { qemuDeployers, type Deployers } from '../../deploy/deployers.ts';
import type { ImageSet } from '../../images/image-set.ts';
import type { BoardConfig } from '../../machine/board/board-file.ts';
import { BoardMachine } from '../../machine/board/board-machine.ts';
import type { MachineBackend } from '../../machine/machine.ts';
import { QemuMachine } from '../../machine/qemu-machine.ts';
import { PROFILES } from '../../model/profile.ts';
import { DEFAULT_SOC, type SocKind } from '../../model/soc-kind.ts';
import { boardDeployers } from '../board-deployers.ts';
import type { Backend, PlannedRun } from './planned-run.ts';

export const QEMU: Backend = { kind: 'qemu' };

/** A scenario boots on its board when the board plan names one, else on QEMU. */
export function backendOf(scenario: string, boards: ReadonlyMap<string, BoardConfig>): Backend {
  const board = boards.get(scenario);
  return board ? { kind: 'board', board } : QEMU;
}

/** Each backend's deployers, made once per board or SoC kind: a board's carry its own initramfs and bootloader. */
export function deployersForBackends(images: ImageSet): (backend: Backend, soc?: SocKind) => Deployers {
  const perSoc = new Map<SocKind, Deployers>();
  const perBoard = new Map<BoardConfig, Deployers>();
  return (backend, soc = DEFAULT_SOC) => {
    if (backend.kind === 'qemu') {
      let deployers = perSoc.get(soc);
      if (!deployers) perSoc.set(soc, (deployers = qemuDeployers(images, soc)));
      return deployers;
    }
    let deployers = perBoard.get(backend.board);
    if (!deployers) perBoard.set(backend.board, (deployers = boardDeployers(backend.board, images)));
    return deployers;
  };
}

/** Debugging asked for on the command line; it applies to QEMU machines only. */
export interface MachineDebug {
  /** `--gdb`: a gdbstub on a free loopback port, and nokaslr so a vmlinux's addresses are the running kernel's. */
  gdb?: boolean;
}

/** The machine a planned run boots; a QEMU run that reboots into its kernel boots through U-Boot. */
export function machineFor(run: PlannedRun, images: ImageSet, debug: MachineDebug = {}): MachineBackend {
  if (run.backend.kind === 'board') return new BoardMachine(run.backend.board);
  return new QemuMachine({
    ...(debug.gdb ? { gdb: true, kernelArgs: ['nokaslr'] } : {}),
    profile: PROFILES[run.profile],
    images,
    overlays: run.scenario.dtbOverlays[run.profile] ?? [],
    socKind: run.scenario.soc,
    ...(run.scenario.trustZoneCommands ? { trustZoneCommands: run.scenario.trustZoneCommands } : {}),
    deployMethod: run.deploy?.deployer.method,
    ...(run.deploy?.deployer.method === 'reboot' ? { bootloader: 'u-boot' as const } : {}),
  });
}
