import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_TREE_RECIPES_DIR, listRecipes, loadRecipe, parseRecipe, parseTreeSelector } from '../../../harness/images/kernel-tree/recipe.ts';
import { InputError } from '../../../harness/core/errors.ts';
import { rejectionOf } from '../../fakes/rejection.ts';

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, InputError);

const RECIPE = `# a comment
source: linux-source-6.12
config: config.fragment
patches: [base.patch]
variants:
  fix: [fix.patch]
  two: [fix.patch, more.patch]
`;

function recipesDir(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pilot-recipes-'));
  mkdirSync(join(root, 'demo-1.0'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'demo-1.0', name), text);
  return root;
}

describe('tree selectors', () => {
  it('name a recipe and at most one variant', () => {
    expect(parseTreeSelector('qcom-6.12')).toEqual({ recipe: 'qcom-6.12' });
    expect(parseTreeSelector('qcom-6.12:el2-map')).toEqual({ recipe: 'qcom-6.12', variant: 'el2-map' });
    for (const bad of ['', 'Qcom', 'a:b:c', 'a:', '../etc', 'a/b']) {
      expect(() => parseTreeSelector(bad), bad).toThrow(/is not <recipe> or <recipe>:<variant>/);
    }
  });
});

describe('parseRecipe', () => {
  it('resolves the config and the patches against the recipe folder', () => {
    const recipe = parseRecipe('demo', '/r/demo', RECIPE);
    expect(recipe.source).toBe('linux-source-6.12');
    expect(recipe.configPath).toBe('/r/demo/config.fragment');
    expect(recipe.patches).toEqual(['/r/demo/base.patch']);
    expect([...recipe.variants]).toEqual([
      ['fix', ['/r/demo/fix.patch']],
      ['two', ['/r/demo/fix.patch', '/r/demo/more.patch']],
    ]);
  });

  it('points at the line and column of what is wrong', () => {
    expect(() => parseRecipe('demo', '/r/demo', RECIPE.replace('patches:', 'patchez:'), 'recipe.yaml')).toThrow("recipe.yaml:4:1: unknown key 'patchez'");
    expect(() => parseRecipe('demo', '/r/demo', RECIPE.replace('linux-source-6.12', 'linux-image-arm64'), 'recipe.yaml')).toThrow(/recipe\.yaml:2:9: source must name a Debian kernel source package/);
    expect(() => parseRecipe('demo', '/r/demo', RECIPE.replace('fix: [fix.patch]', 'fix: fix.patch'), 'recipe.yaml')).toThrow(/recipe\.yaml:6:8: a variant is a list of extra patches/);
    expect(() => parseRecipe('demo', '/r/demo', RECIPE.replace('[base.patch]', '[../base.patch]'), 'recipe.yaml')).toThrow(/recipe\.yaml:4:10: must be a list of patch file names/);
    expect(() => parseRecipe('demo', '/r/demo', 'source: [unclosed', 'recipe.yaml')).toThrow(/^recipe\.yaml:1:\d+: /);
  });
});

describe('loadRecipe', () => {
  it('checks every file the recipe names and the variant asked for', async () => {
    const all = { 'recipe.yaml': RECIPE, 'config.fragment': 'CONFIG_X=y\n', 'base.patch': '', 'fix.patch': '', 'more.patch': '' };
    const root = recipesDir(all);
    expect((await loadRecipe({ recipe: 'demo-1.0', variant: 'two' }, root)).variants.get('two')).toHaveLength(2);
    const unknownVariant = await rejection(loadRecipe({ recipe: 'demo-1.0', variant: 'three' }, root));
    expect(unknownVariant.code).toBe('E_KERNEL_TREE_RECIPE');
    expect(unknownVariant.message).toBe("recipe demo-1.0 has no variant 'three'");
    expect(unknownVariant.hint).toBe('its variants: fix, two');
    const unknownRecipe = await rejection(loadRecipe({ recipe: 'nope' }, root));
    expect(unknownRecipe.hint).toBe('known recipes: demo-1.0');
    const { 'more.patch': _gone, ...withoutMore } = all;
    const missing = await rejection(loadRecipe({ recipe: 'demo-1.0' }, recipesDir(withoutMore)));
    expect(missing.message).toMatch(/names .*demo-1\.0\/more\.patch, which cannot be read/);
  });

  it('reads the repository\'s own recipes', async () => {
    expect(await listRecipes(KERNEL_TREE_RECIPES_DIR)).toEqual(expect.arrayContaining(['qcom-6.12', 'sim-6.1']));
    const qcom = await loadRecipe({ recipe: 'qcom-6.12', variant: 'no-bridge' });
    expect(qcom.source).toBe('linux-source-6.12');
    expect([...qcom.variants.keys()]).toEqual(['el2-map', 'no-bridge']);
    const sim = await loadRecipe({ recipe: 'sim-6.1', variant: 'crash-regression' });
    expect(sim.source).toBe('linux-source-6.1');
  });
});
