// A kernel build directory on its happy path with real make: modules_install, depmod and the SoC module built against
// it, on a stand-in tree made of Debian's built rt kernel (no QEMU). Then the tree broken the two ways developers break it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../harness/core/errors.ts';
import { IMAGE_IN_BUILD_DIR } from '../../harness/kernel/build-dir.ts';
import { readKernelImage } from '../../harness/kernel/image.ts';
import { KERNEL_INPUT_CODES, resolveKernelInput, type KernelUnderTest } from '../../harness/kernel/input.ts';
import { moduleName, parseModulesDep } from '../../harness/images/modules.ts';
import { readModinfo } from '../../harness/images/sim-module/modinfo.ts';
import { BUILD_TREE_MODULE_NAMES, makeBuildTreeFromDebian } from '../fixtures/kernel-input/debian-build-tree.ts';

let rt: KernelUnderTest;
let work: string;
let tree: string;
// Its own cache, so make modules_install and the module build really run here, and nothing is left in the shared one.
let cacheDir: string;
let first: KernelUnderTest;
let firstMs: number;

beforeAll(async () => {
  rt = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
  work = await mkdtemp(join(tmpdir(), 'pilot-build-dir-'));
  tree = join(work, 'linux');
  cacheDir = join(work, 'cache');
  await makeBuildTreeFromDebian(rt, tree);
  const started = Date.now();
  first = await resolveKernelInput({ kind: 'build-dir', dir: tree }, { cacheDir });
  firstMs = Date.now() - started;
}, 600_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** A copy of the stand-in tree to break, so each case starts from a good one. */
async function copyOfTree(name: string): Promise<string> {
  const copy = join(work, name);
  // cp(1): fs.cp takes seconds over include/config's ten thousand empty files.
  await execa('cp', ['-a', tree, copy]);
  return copy;
}

async function rejection(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('resolveKernelInput on a build directory', () => {
  it('installs its modules with make, depmods them and builds the SoC module for its release', async () => {
    expect(first).toMatchObject({ release: rt.release, source: 'build-dir', buildDir: tree, imagePath: join(tree, IMAGE_IN_BUILD_DIR), imageSha256: rt.imageSha256 });
    expect(first.versionString).toBe(rt.versionString);

    const releaseDir = join(first.modulesRoot, 'lib/modules', rt.release);
    const dep = parseModulesDep(await readFile(join(releaseDir, 'modules.dep'), 'utf8'));
    for (const name of BUILD_TREE_MODULE_NAMES) expect(dep.paths.get(name), name).toMatch(/^kernel\/.*\.ko$/);
    expect(dep.deps.get(dep.paths.get('videodev')!)).toEqual([dep.paths.get('mc')]);
    // make's own modules.order (kernel/ prefixed by __modinst_pre) lists what the tree's modules.order lists.
    const treeOrder = (await readFile(join(tree, 'modules.order'), 'utf8')).trim().split('\n');
    const installedOrder = (await readFile(join(releaseDir, 'modules.order'), 'utf8')).trim().split('\n');
    expect(installedOrder).toEqual(treeOrder.map((line) => `kernel/${line}`));
    // Installed modules are the tree's, for this release: vermagic of each, and no links back into the tree.
    for (const path of dep.paths.values()) {
      const vermagic = readModinfo(await readFile(join(releaseDir, path))).get('vermagic')?.[0] ?? '';
      expect(vermagic.startsWith(`${rt.release} `), `${path}: ${vermagic}`).toBe(true);
    }
    expect(dep.paths.size).toBe(treeOrder.length);
    await expect(readFile(join(releaseDir, 'build'))).rejects.toThrow(/ENOENT/);

    expect(first.simModulePath).toMatch(/qcom_pas_sim\.ko$/);
    const simInfo = readModinfo(await readFile(first.simModulePath));
    expect(simInfo.get('vermagic')?.[0]?.startsWith(`${rt.release} `)).toBe(true);
    // What it links against was installed from the tree, so modprobe on the target finds it.
    const simDepends = (simInfo.get('depends')?.[0] ?? '').split(',').filter(Boolean).map(moduleName);
    expect(simDepends).toContain('videodev');
    for (const name of simDepends) expect(dep.paths.has(name), name).toBe(true);

    const image = await readKernelImage(join(tree, IMAGE_IN_BUILD_DIR));
    expect(first.buildId).toMatch(/^[0-9a-f]{40}$/);
    expect(first.buildId).toBe(image.buildId);
    expect(first.buildId).toBe(rt.buildId);
  });

  it('serves a second call from the cache: same paths, no make', async () => {
    const started = Date.now();
    const again = await resolveKernelInput({ kind: 'build-dir', dir: tree }, { cacheDir });
    const againMs = Date.now() - started;
    expect(again).toEqual(first);
    expect(againMs).toBeLessThan(Math.max(5_000, firstMs / 3));
  }, 60_000);
});

describe('a broken build directory', () => {
  it('names the .ko modules.order lists that is missing', async () => {
    const broken = await copyOfTree('missing-ko');
    const order = (await readFile(join(broken, 'modules.order'), 'utf8')).trim().split('\n');
    const gone = order.find((line) => line.endsWith('/virtio_blk.ko'))!;
    await rm(join(broken, gone));
    const error = await rejection(resolveKernelInput({ kind: 'build-dir', dir: broken }, { cacheDir }));
    expect(error.code).toBe(KERNEL_INPUT_CODES.noModules);
    expect(error.message).toContain(join(broken, gone));
    expect(error.message).toMatch(/modules\.order/);
  }, 60_000);

  it('names the Image as stale when kernel.release moved on without it', async () => {
    const broken = await copyOfTree('stale-image');
    // What `make` after a LOCALVERSION change writes before the Image is rebuilt.
    const newer = `${rt.release.replace(/-arm64$/, '')}-dirty-arm64`;
    await writeFile(join(broken, 'include/config/kernel.release'), `${newer}\n`);
    const error = await rejection(resolveKernelInput({ kind: 'build-dir', dir: broken }, { cacheDir }));
    expect(error.code).toBe(KERNEL_INPUT_CODES.releaseMismatch);
    expect(error.message).toContain(join(broken, IMAGE_IN_BUILD_DIR));
    expect(error.message).toContain(rt.release);
    expect(error.message).toContain(newer);
  }, 60_000);
});
