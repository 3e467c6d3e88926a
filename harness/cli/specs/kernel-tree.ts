// The flags of `pilot kernel-tree`, declared once.
import { defineCommand } from '../command-spec.ts';

export const KERNEL_TREE = defineCommand({
  name: 'kernel-tree',
  summary: 'build (or find) a cached kernel build tree from a recipe in images/kernel-trees',
  operands: 'build|path|list [<recipe>[:<variant>]]',
  about: [
    '  build  download the recipe\'s Debian linux-source package, apply its patches, make allnoconfig plus its',
    '         config fragment (every option checked), build Image (and modules when the config has them) under',
    '         nice, cache the tree and print its path; a variant copies the built base and rebuilds what its',
    '         extra patches change',
    '  path   print the cached tree\'s path, or exit 1 when it has not been built (downloads nothing)',
    '  list   print the recipes and their variants',
    'The path is what `pilot run --kernel` and `pilot compare --baseline/--patched` take. Trees live in',
    'PILOT_CACHE/kernel-trees (default ~/.cache/pilot/kernel-trees).',
  ].join('\n'),
  flags: {
    force: { description: 'build: rebuild the tree named even when it is cached (a variant keeps its cached base)' },
    'cache-dir': { value: 'DIR', description: 'the cache folder', default: 'PILOT_CACHE, else ~/.cache/pilot' },
  },
  epilogue: 'exit codes: 0 done, 1 path: not built yet, 2 bad input or a failed build, 130 interrupted',
});
