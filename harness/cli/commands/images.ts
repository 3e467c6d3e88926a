// `pilot images build|path|clean`: builds the guest images with visible progress, or locates and removes them.
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { describeCauseChain, isPilotError } from '../../core/errors.ts';
import { formatMs } from '../../core/wait.ts';
import { buildImagesWithReport, defaultCacheDir, type PieceReport } from '../../images/build.ts';
import type { ImageProgress } from '../../images/progress.ts';

export const IMAGES_USAGE = `usage: pilot images <command>
  build [--force] [--cache-dir DIR] [--module NAME]... [--no-soc]
                                                         build (or reuse) kernel, headers, Xen, userland, the simulated
                                                         SoC (soc-module, soc-firmware) and the initramfs; --no-soc leaves the SoC out
  path [--cache-dir DIR]                                 print the image cache folder
  clean [--cache-dir DIR]                                remove the image cache folder (downloads, pieces, SSH key)
The cache folder is PILOT_CACHE, else $XDG_CACHE_HOME/pilot, else ~/.cache/pilot.
`;

export function formatProgressLine(event: ImageProgress): string {
  const seconds = `${(event.elapsedMs / 1000).toFixed(1)}s`.padStart(7);
  return `[${seconds}] ${event.piece.padEnd(14)} ${event.phase.padEnd(8)} ${event.detail}`;
}

export function formatPieceTable(pieces: PieceReport[]): string {
  const rows = pieces.map((p) => [p.piece, p.built ? 'built' : 'cached', p.key.slice(0, 16), p.path]);
  const header = ['piece', 'state', 'key', 'path'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export async function imagesCommand(
  argv: string[],
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream } = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const [sub, ...rest] = argv;
  let values: { force?: boolean; 'cache-dir'?: string; module?: string[]; 'no-soc'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        force: { type: 'boolean' },
        'cache-dir': { type: 'string' },
        module: { type: 'string', multiple: true },
        'no-soc': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    io.err.write(`pilot images: ${(error as Error).message}\n${IMAGES_USAGE}`);
    return 2;
  }
  if (!sub || sub === '--help' || sub === '-h' || values.help) {
    io.out.write(IMAGES_USAGE);
    return sub ? 0 : 2;
  }
  const cacheDir = values['cache-dir'] ?? defaultCacheDir();
  switch (sub) {
    case 'path':
      io.out.write(`${cacheDir}\n`);
      return 0;
    case 'clean':
      await rm(cacheDir, { recursive: true, force: true });
      io.out.write(`removed ${cacheDir}\n`);
      return 0;
    case 'build':
      return runBuild(cacheDir, { force: values.force ?? false, extraModules: values.module ?? [], soc: !values['no-soc'] }, io);
    default:
      io.err.write(`pilot images: unknown command '${sub}'\n${IMAGES_USAGE}`);
      return 2;
  }
}

async function runBuild(
  cacheDir: string,
  { force, extraModules, soc }: { force: boolean; extraModules: string[]; soc: boolean },
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream },
): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  // `on`, not `once`: execa's signal-exit re-raises the signal when it believes it is the last listener.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const report = await buildImagesWithReport({
      cacheDir,
      force,
      extraModules,
      soc,
      signal: controller.signal,
      onProgress: (event) => io.out.write(`${formatProgressLine(event)}\n`),
    });
    io.out.write(`\n${formatPieceTable(report.pieces)}`);
    io.out.write(`ssh key: ${report.images.sshKey.privateKeyPath}\nimages ready in ${formatMs(report.elapsedMs)}\n`);
    return 0;
  } catch (error) {
    const lines = describeCauseChain(error);
    io.err.write(`pilot images build: ${lines[0]}\n`);
    for (const cause of lines.slice(1)) io.err.write(`  caused by: ${cause}\n`);
    if (isPilotError(error)) {
      for (const line of error.evidence) io.err.write(`  | ${line}\n`);
      if (error.hint) io.err.write(`  hint: ${error.hint}\n`);
      return error.failureClass === 'aborted' ? 130 : error.failureClass === 'input' ? 2 : 1;
    }
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
