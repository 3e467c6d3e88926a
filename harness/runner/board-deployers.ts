// The deployers of runs on a lab board: the board's own initramfs under a pushed kernel's modules, and a reboot deploy
// only where its file declares U-Boot. Runs on QEMU keep the image set's.
import { createDeployers, type Deployers } from '../deploy/deployers.ts';
import type { ImageSet } from '../images/image-set.ts';
import type { MatrixRun } from '../scenario/matrix.ts';
import type { BoardConfig } from '../machine/board/board-file.ts';

export function boardDeployers(board: BoardConfig, images: ImageSet): Deployers {
  return createDeployers(images, {
    baseInitramfs: board.initramfs ?? images.initramfsPath,
    reboot: { bootloader: board.bootloader, bootloaderSource: `board file ${board.file}` },
  });
}

/** Each run's deployers: its board's (made once per board) or the QEMU ones. */
export function deployersForRuns(byScenario: ReadonlyMap<string, BoardConfig>, images: ImageSet): (run: MatrixRun) => Deployers {
  const qemu = createDeployers(images);
  const perBoard = new Map<BoardConfig, Deployers>();
  return (run) => {
    const board = byScenario.get(run.scenario.name);
    if (!board) return qemu;
    let deployers = perBoard.get(board);
    if (!deployers) perBoard.set(board, (deployers = boardDeployers(board, images)));
    return deployers;
  };
}
