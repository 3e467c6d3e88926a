// The new kernel's modules as one gzip'd newc cpio, made on the host from the staged tree: the piece that follows the
// base initramfs in every initrd of a kernel under test, concatenated by the host (direct boot) or by the target (push).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { writeGzippedCpio } from '../images/cpio.ts';
import { fileSha256 } from './file-sha256.ts';
import type { StagedInitrdModules } from './initrd-modules.ts';

export interface ModulesArchive {
  path: string;
  bytes: number;
  sha256: string;
}

export interface InitrdPiece {
  path: string;
  bytes: number;
}

/**
 * gzip -1: for the rt kernel's 1.47 MB of modules, level 6 wrote 409 KB against 460 KB for 2.3 times the host CPU
 * (0.14 s against 0.06 s); 50 KB is a twentieth of a second on an emulated target's SSH, and the kernel inflates either.
 */
export const MODULES_ARCHIVE_LEVEL = 1;

/** Writes the staged tree's members (lib/modules/<release>/…, parents first) as a gzip'd newc archive at path. */
export async function writeModulesArchive(modules: Pick<StagedInitrdModules, 'entries'>, path: string): Promise<ModulesArchive> {
  await writeGzippedCpio(path, modules.entries, MODULES_ARCHIVE_LEVEL);
  return { path, bytes: (await stat(path)).size, sha256: await fileSha256(path) };
}

/** The sha256 of the files one after another, as `cat a b | sha256sum` prints it: the initrd the pieces make. */
export async function concatenatedSha256(pieces: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const piece of pieces) for await (const chunk of createReadStream(piece)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The pieces' sizes, base first: the target needs the base's to cut it out of a retained initrd. */
export async function pieceOf(path: string): Promise<InitrdPiece> {
  return { path, bytes: (await stat(path)).size };
}
