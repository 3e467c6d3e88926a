// `pilot images build|path|clean`: builds the guest images with visible progress, or locates and removes them.
import { rm } from 'node:fs/promises';
import { describeCauseChain, isPilotError } from '../../core/errors.ts';
import { formatMs } from '../../core/wait.ts';
import { buildImagesWithReport, defaultCacheDir, type PieceReport } from '../../images/build.ts';
import type { ImageProgress } from '../../images/progress.ts';
import { parseCommandLine } from '../parse-command-line.ts';
import { printHelp, renderHelp } from '../render-help.ts';
import { IMAGES } from '../specs/images.ts';

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
  let parsed;
  try {
    parsed = parseCommandLine(IMAGES, argv);
  } catch (error) {
    io.err.write(`pilot images: ${(error as Error).message}\n${renderHelp(IMAGES)}`);
    return 2;
  }
  const { help, values, positionals } = parsed;
  if (help) return printHelp(IMAGES, io.out);
  const [sub, ...extra] = positionals;
  if (!sub) {
    io.out.write(renderHelp(IMAGES));
    return 2;
  }
  if (extra.length) {
    io.err.write(`pilot images: unexpected argument '${extra[0]}'\n${renderHelp(IMAGES)}`);
    return 2;
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
      return runBuild(cacheDir, { force: values.force ?? false, extraModules: values.module ?? [], soc: !values['no-soc'], realSoc: !values['no-real-soc'] }, io);
    default:
      io.err.write(`pilot images: unknown command '${sub}'\n${renderHelp(IMAGES)}`);
      return 2;
  }
}

async function runBuild(
  cacheDir: string,
  { force, extraModules, soc, realSoc }: { force: boolean; extraModules: string[]; soc: boolean; realSoc: boolean },
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
      realSoc,
      realSocXen: realSoc,
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
