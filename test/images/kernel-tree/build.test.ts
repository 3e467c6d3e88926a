// The whole builder on a tiny fake source package: unpack, patch, allnoconfig with the fragment (checked), build,
// cache, a variant copied from the cached base. The fake Makefile stands in for kbuild; make, tar, patch and
// dpkg-deb are the real ones.
import { mkdtempSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../harness/core/errors.ts';
import { runProcess } from '../../../harness/host/process.ts';
import type { AptPackage } from '../../../harness/images/apt.ts';
import { buildKernelTree, findKernelTree, type SourceProvider } from '../../../harness/images/kernel-tree/build.ts';
import { buildKernelsAsked, kernelTreeOnDemand, treesToBuild } from '../../../harness/images/kernel-tree/on-demand.ts';
import { rejectionOf } from '../../fakes/rejection.ts';

// allnoconfig copies the fragment but drops CONFIG_NEEDS_* (an option whose dependency is off); Image is main.c.
const MAKEFILE = `allnoconfig:
\tgrep -v NEEDS_ $(KCONFIG_ALLCONFIG) > .config
Image: main.c
\tmkdir -p arch/arm64/boot include/config
\t@echo "  CC      main.o"
\tcp main.c arch/arm64/boot/Image
\techo 9.9.0-fake > include/config/kernel.release
modules:
\t@echo "  LD [M]  fake.ko"
\ttouch Module.symvers
.PHONY: allnoconfig modules
`;
const FIX = `--- a/main.c
+++ b/main.c
@@ -1 +1 @@
-int stock;
+int fixed;
`;

async function fakeSourceDeb(root: string): Promise<string> {
  const src = join(root, 'src', 'linux-source-9.9');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'Makefile'), MAKEFILE);
  writeFileSync(join(src, 'main.c'), 'int stock;\n');
  const pkg = join(root, 'pkg');
  mkdirSync(join(pkg, 'DEBIAN'), { recursive: true });
  mkdirSync(join(pkg, 'usr/src'), { recursive: true });
  writeFileSync(join(pkg, 'DEBIAN/control'), 'Package: linux-source-9.9\nVersion: 9.9-1\nArchitecture: all\nMaintainer: pilot <pilot@localhost>\nDescription: fake\n');
  await runProcess('tar', ['-cJf', join(pkg, 'usr/src/linux-source-9.9.tar.xz'), '-C', join(root, 'src'), 'linux-source-9.9'], { code: 'E_TEST', what: 'tar' });
  const deb = join(root, 'linux-source-9.9_9.9-1_all.deb');
  await runProcess('dpkg-deb', ['--root-owner-group', '-b', pkg, deb], { code: 'E_TEST', what: 'dpkg-deb -b' });
  return deb;
}

function recipes(root: string, fragment: string): string {
  const dir = join(root, 'recipes', 'fake-9.9');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'recipe.yaml'), 'source: linux-source-9.9\nconfig: config.fragment\nvariants:\n  fix: [fix.patch]\n');
  writeFileSync(join(dir, 'config.fragment'), fragment);
  writeFileSync(join(dir, 'fix.patch'), FIX);
  return join(root, 'recipes');
}

async function setup(fragment = 'CONFIG_MODULES=y\n') {
  const root = mkdtempSync(join(tmpdir(), 'pilot-kernel-tree-'));
  const deb = await fakeSourceDeb(root);
  const fetched: string[] = [];
  const source: SourceProvider = {
    describe: async (name) => ({ name, arch: 'all', version: '9.9-1', section: 'kernel', depends: '', filename: '', size: 1, sha256: 'f00d' }) as AptPackage,
    fetch: async (pkg) => {
      fetched.push(pkg.name);
      return deb;
    },
  };
  const progress: string[] = [];
  const options = { cacheDir: join(root, 'cache'), recipesDir: recipes(root, fragment), source, progress: (_piece: string, phase: string, detail: string) => progress.push(`${phase} ${detail}`) };
  return { options, fetched, progress };
}

describe('buildKernelTree', () => {
  it('builds the base once, then a variant from a copy of it with its patch on top', async () => {
    const { options, fetched, progress } = await setup();
    expect(await findKernelTree({ recipe: 'fake-9.9' }, options)).toBeUndefined();
    const base = await buildKernelTree({ recipe: 'fake-9.9' }, options);
    expect(base.built).toBe(true);
    expect(base.manifest).toMatchObject({ recipe: 'fake-9.9', release: '9.9.0-fake', modules: true, source: { name: 'linux-source-9.9', version: '9.9-1' } });
    expect(readFileSync(join(base.path, 'arch/arm64/boot/Image'), 'utf8')).toBe('int stock;\n');
    expect(readFileSync(join(base.path, '.config'), 'utf8')).toBe('CONFIG_MODULES=y\n');
    expect(progress).toContain('build fake-9.9: nice make Image modules');
    expect(readFileSync(join(base.path, '..', 'build.log'), 'utf8')).toContain('  CC      main.o');
    const baseImageTime = statSync(join(base.path, 'arch/arm64/boot/Image')).mtimeMs;

    const variant = await buildKernelTree({ recipe: 'fake-9.9', variant: 'fix' }, options);
    expect(variant.built).toBe(true);
    expect(variant.path).not.toBe(base.path);
    expect(variant.manifest).toMatchObject({ variant: 'fix', patches: ['fix.patch'], baseKey: base.key });
    expect(readFileSync(join(variant.path, 'arch/arm64/boot/Image'), 'utf8')).toBe('int fixed;\n');
    // The base is neither rebuilt nor touched by its variant.
    expect(readFileSync(join(base.path, 'arch/arm64/boot/Image'), 'utf8')).toBe('int stock;\n');
    expect(statSync(join(base.path, 'arch/arm64/boot/Image')).mtimeMs).toBe(baseImageTime);
    expect(fetched).toEqual(['linux-source-9.9']);

    const again = await buildKernelTree({ recipe: 'fake-9.9', variant: 'fix' }, options);
    expect(again.built).toBe(false);
    expect(again.path).toBe(variant.path);
    expect((await findKernelTree({ recipe: 'fake-9.9', variant: 'fix' }, options))?.path).toBe(variant.path);
    expect(await kernelTreeOnDemand('fake-9.9:fix', options, {})).toEqual({ tree: again });
  });

  it('refuses a tree whose fragment did not take, naming the option, and caches nothing', async () => {
    const { options } = await setup('CONFIG_MODULES=y\nCONFIG_NEEDS_DEPENDENCY=y\n');
    const error = await rejectionOf(buildKernelTree({ recipe: 'fake-9.9' }, options), InputError);
    expect(error.code).toBe('E_KERNEL_TREE_CONFIG');
    expect(error.evidence).toEqual([expect.stringMatching(/config\.fragment:2: CONFIG_NEEDS_DEPENDENCY=y gave nothing \(a dependency is off, or no such option\)$/)]);
    expect(await findKernelTree({ recipe: 'fake-9.9' }, options)).toBeUndefined();
    const missing = await kernelTreeOnDemand('fake-9.9', options, {});
    expect(missing.missing).toBe('kernel tree fake-9.9 is not cached: build it with `npx pilot kernel-tree build fake-9.9`, or set PILOT_BUILD_KERNELS=1 (or =fake-9.9)');
  });
});

describe('PILOT_BUILD_KERNELS', () => {
  it('asks for every tree with 1, for the listed ones with a list, and for none unset', () => {
    expect(treesToBuild({ PILOT_BUILD_KERNELS: '1' })).toBe('all');
    expect(treesToBuild({})).toEqual([]);
    expect(treesToBuild({ PILOT_BUILD_KERNELS: 'sim-6.1, sim-6.1:crash-regression' })).toEqual([{ recipe: 'sim-6.1' }, { recipe: 'sim-6.1', variant: 'crash-regression' }]);
    const env = { PILOT_BUILD_KERNELS: 'sim-6.1,sim-6.1:crash-regression' };
    expect(buildKernelsAsked(env, { recipe: 'sim-6.1' })).toBe(true);
    expect(buildKernelsAsked(env, { recipe: 'sim-6.1', variant: 'crash-regression' })).toBe(true);
    expect(buildKernelsAsked(env, { recipe: 'qcom-6.12', variant: 'el2-map' })).toBe(false);
    expect(buildKernelsAsked({ PILOT_BUILD_KERNELS: '1' }, { recipe: 'qcom-6.12' })).toBe(true);
    expect(() => treesToBuild({ PILOT_BUILD_KERNELS: 'Sim 6.1' })).toThrow(/E_KERNEL_TREE_RECIPE|is not <recipe>/);
  });
});
