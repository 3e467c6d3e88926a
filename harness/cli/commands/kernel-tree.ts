// `pilot kernel-tree build|path|list`: progress on stderr, the tree's path alone on stdout, so
// `pilot run --kernel "$(npx pilot kernel-tree build qcom-6.12:el2-map)"` works.
import { describeCauseChain, isPilotError } from '../../core/errors.ts';
import { formatMs } from '../../core/wait.ts';
import { buildKernelTree, findKernelTree } from '../../images/kernel-tree/build.ts';
import { listRecipes, loadRecipe, parseTreeSelector } from '../../images/kernel-tree/recipe.ts';
import { progressSink } from '../../images/progress.ts';
import { EXIT } from '../exit-codes.ts';
import { parseCommandLine } from '../parse-command-line.ts';
import { printHelp, renderHelp } from '../render-help.ts';
import { KERNEL_TREE } from '../specs/kernel-tree.ts';
import { formatProgressLine } from './images.ts';

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

function failure(error: unknown, io: Io, what: string): number {
  const lines = describeCauseChain(error);
  io.err.write(`pilot kernel-tree ${what}: ${lines[0]}\n`);
  for (const cause of lines.slice(1)) io.err.write(`  caused by: ${cause}\n`);
  if (!isPilotError(error)) return EXIT.error;
  for (const line of error.evidence) io.err.write(`  | ${line}\n`);
  if (error.hint) io.err.write(`  hint: ${error.hint}\n`);
  return error.failureClass === 'aborted' ? EXIT.interrupted : EXIT.error;
}

async function list(io: Io): Promise<number> {
  for (const name of await listRecipes()) {
    const recipe = await loadRecipe({ recipe: name });
    io.out.write(`${name}  ${recipe.source}${recipe.variants.size ? `  variants: ${[...recipe.variants.keys()].join(', ')}` : ''}\n`);
  }
  return EXIT.passed;
}

export async function kernelTreeCommand(argv: string[], io: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(KERNEL_TREE, argv);
  } catch (error) {
    io.err.write(`pilot kernel-tree: ${(error as Error).message}\n${renderHelp(KERNEL_TREE)}`);
    return EXIT.error;
  }
  const { help, values, positionals } = parsed;
  if (help) return printHelp(KERNEL_TREE, io.out);
  const [sub, target, ...extra] = positionals;
  if (sub === 'list' && !target) return list(io);
  if ((sub !== 'build' && sub !== 'path') || !target || extra.length > 0) {
    io.err.write(`pilot kernel-tree: expected build|path <recipe>[:<variant>] or list\n${renderHelp(KERNEL_TREE)}`);
    return EXIT.error;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = Date.now();
  try {
    const selector = parseTreeSelector(target);
    const options = {
      cacheDir: values['cache-dir'],
      signal: controller.signal,
      force: values.force ?? false,
      progress: progressSink((event) => io.err.write(`${formatProgressLine(event)}\n`), started),
    };
    if (sub === 'path') {
      const tree = await findKernelTree(selector, options);
      if (!tree) {
        io.err.write(`pilot kernel-tree: ${target} is not built; run: npx pilot kernel-tree build ${target}\n`);
        return EXIT.failed;
      }
      io.out.write(`${tree.path}\n`);
      return EXIT.passed;
    }
    const tree = await buildKernelTree(selector, options);
    io.err.write(`${tree.selector}: ${tree.manifest.release}, ${tree.built ? `built in ${formatMs(Date.now() - started)}` : 'cached'}\n`);
    io.out.write(`${tree.path}\n`);
    return EXIT.passed;
  } catch (error) {
    return failure(error, io, sub);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
