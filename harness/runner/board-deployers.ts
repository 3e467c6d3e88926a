// The deployers of runs on a lab board: the board's own initramfs under a pushed kernel's modules, and a reboot deploy
// only where its file declares U-Boot, and never a direct boot. Runs on QEMU keep the image set's (plan/backend.ts chooses).
import { createDeployers, type Deployers } from '../deploy/deployers.ts';
import type { ImageSet } from '../images/image-set.ts';
import type { BoardConfig } from '../machine/board/board-file.ts';

export function boardDeployers(board: BoardConfig, images: ImageSet): Deployers {
  return createDeployers(images, {
    baseInitramfs: board.initramfs ?? images.initramfsPath,
    reboot: { bootloader: board.bootloader, bootloaderSource: `board file ${board.file}` },
    directRefusal: `a direct deploy boots the kernel under test as the machine's first kernel, which only a machine pilot starts (QEMU) can do; board ${board.name} (board file ${board.file}) boots its own: use kexec or reboot`,
  });
}
