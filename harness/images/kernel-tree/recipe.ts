// A kernel-tree recipe (images/kernel-trees/<name>/recipe.yaml): which Debian source package, which config fragment,
// which patches for the base tree, and the variants (extra patches on top of the finished base).
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { isMap, isSeq } from 'yaml';
import { InputError } from '../../core/errors.ts';
import { parseYamlSource, type DataPath, type YamlSource } from '../../config/yaml-source.ts';

/** Where the repository keeps its recipes. */
export const KERNEL_TREE_RECIPES_DIR = fileURLToPath(new URL('../../../images/kernel-trees/', import.meta.url));

const NAME = /^[a-z0-9][a-z0-9.-]*$/;
const SOURCE_PACKAGE = /^linux-source-\d+\.\d+$/;
const KNOWN_KEYS = ['source', 'config', 'patches', 'variants'];

export interface KernelTreeRecipe {
  name: string;
  /** The recipe's folder: config and patches are named relative to it. */
  dir: string;
  /** Debian's source package, e.g. linux-source-6.12. */
  source: string;
  /** Absolute path of the config fragment. */
  configPath: string;
  /** Absolute paths of the base tree's patches, in order. */
  patches: string[];
  /** Variant name → absolute paths of its extra patches, applied to a copy of the finished base. */
  variants: Map<string, string[]>;
}

/** `qcom-6.12` or `qcom-6.12:el2-map`: a recipe and at most one of its variants. */
export interface TreeSelector {
  recipe: string;
  variant?: string | undefined;
}

export function parseTreeSelector(text: string): TreeSelector {
  const [recipe = '', variant, ...rest] = text.split(':');
  if (!NAME.test(recipe) || rest.length > 0 || (variant !== undefined && !NAME.test(variant))) {
    throw new InputError('E_KERNEL_TREE_RECIPE', `'${text}' is not <recipe> or <recipe>:<variant> (lower-case letters, digits, '.', '-')`);
  }
  return variant === undefined ? { recipe } : { recipe, variant };
}

export function formatTreeSelector(selector: TreeSelector): string {
  return selector.variant ? `${selector.recipe}:${selector.variant}` : selector.recipe;
}

function problem(file: string, source: YamlSource, path: DataPath, message: string, placement: 'key' | 'value' = 'value'): InputError {
  const at = source.locate(path, placement);
  return new InputError('E_KERNEL_TREE_RECIPE', `${file}:${at.line}:${at.column}: ${message}`);
}

function fileList(file: string, source: YamlSource, path: DataPath, value: unknown, dir: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || !item || item.includes('/'))) {
    throw problem(file, source, path, 'must be a list of patch file names in the recipe folder');
  }
  return (value as string[]).map((name) => join(dir, name));
}

/** Parses a recipe's text; files it names are checked by loadRecipe, which can read the folder. */
export function parseRecipe(name: string, dir: string, text: string, file = join(dir, 'recipe.yaml')): KernelTreeRecipe {
  const source = parseYamlSource(text);
  if (source.document.errors.length > 0) {
    const error = source.document.errors[0]!;
    const at = source.positionOf(error.pos[0]);
    throw new InputError('E_KERNEL_TREE_RECIPE', `${file}:${at.line}:${at.column}: ${error.message.split('\n')[0]}`);
  }
  if (!isMap(source.document.contents)) throw problem(file, source, [], 'a recipe is a mapping with source, config, patches and variants');
  const data = source.document.toJS() as Record<string, unknown>;
  for (const key of Object.keys(data)) {
    if (!KNOWN_KEYS.includes(key)) throw problem(file, source, [key], `unknown key '${key}' (known: ${KNOWN_KEYS.join(', ')})`, 'key');
  }
  if (typeof data.source !== 'string' || !SOURCE_PACKAGE.test(data.source)) {
    throw problem(file, source, ['source'], 'source must name a Debian kernel source package, e.g. linux-source-6.12');
  }
  if (typeof data.config !== 'string' || !data.config || data.config.includes('/')) {
    throw problem(file, source, ['config'], 'config must name the config fragment in the recipe folder');
  }
  const patches = data.patches === undefined ? [] : fileList(file, source, ['patches'], data.patches, dir);
  const variants = new Map<string, string[]>();
  if (data.variants !== undefined) {
    const node = source.document.get('variants');
    if (!isMap(node)) throw problem(file, source, ['variants'], 'variants must map a variant name to its list of extra patches');
    for (const [variant, list] of Object.entries(data.variants as Record<string, unknown>)) {
      if (!NAME.test(variant)) throw problem(file, source, ['variants', variant], `variant name '${variant}' must be lower-case letters, digits, '.', '-'`, 'key');
      if (!isSeq(source.document.getIn(['variants', variant]))) throw problem(file, source, ['variants', variant], 'a variant is a list of extra patches');
      variants.set(variant, fileList(file, source, ['variants', variant], list, dir));
    }
  }
  return { name, dir, source: data.source, configPath: join(dir, data.config), patches, variants };
}

/** The recipes the repository holds, by folder name. */
export async function listRecipes(recipesDir = KERNEL_TREE_RECIPES_DIR): Promise<string[]> {
  const entries = await readdir(recipesDir, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory() && NAME.test(entry.name)).map((entry) => entry.name).sort();
}

/** Reads and checks a recipe: every file it names exists, and a variant asked for is one it declares. */
export async function loadRecipe(selector: TreeSelector, recipesDir = KERNEL_TREE_RECIPES_DIR): Promise<KernelTreeRecipe> {
  const dir = join(recipesDir, selector.recipe);
  const file = join(dir, 'recipe.yaml');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) {
    const known = await listRecipes(recipesDir);
    throw new InputError('E_KERNEL_TREE_RECIPE', `no kernel-tree recipe '${selector.recipe}' (no ${file})`, { hint: `known recipes: ${known.join(', ') || 'none'}` });
  }
  const recipe = parseRecipe(selector.recipe, dir, text, file);
  for (const path of [recipe.configPath, ...recipe.patches, ...[...recipe.variants.values()].flat()]) {
    if ((await readFile(path).catch(() => undefined)) === undefined) {
      throw new InputError('E_KERNEL_TREE_RECIPE', `${file}: names ${path}, which cannot be read`);
    }
  }
  if (selector.variant !== undefined && !recipe.variants.has(selector.variant)) {
    throw new InputError('E_KERNEL_TREE_RECIPE', `recipe ${recipe.name} has no variant '${selector.variant}'`, {
      hint: `its variants: ${[...recipe.variants.keys()].join(', ') || 'none'}`,
    });
  }
  return recipe;
}
