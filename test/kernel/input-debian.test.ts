// Real Debian kernels: the image's own kernel (cached by buildImages) and linux-image-rt-arm64 (downloaded once into the shared cache).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../harness/core/errors.ts';
import { readKernelImage } from '../../harness/kernel/image.ts';
import { KERNEL_INPUT_CODES, resolveKernelInput } from '../../harness/kernel/input.ts';
import { buildImages } from '../../harness/images/build.ts';
import type { ImageSet } from '../../harness/images/image-set.ts';
import { readModinfo } from '../../harness/images/sim-module/modinfo.ts';

let images: ImageSet;
let work: string;

beforeAll(async () => {
  images = await buildImages();
  work = await mkdtemp(join(tmpdir(), 'pilot-kernel-debian-'));
}, 600_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function vermagicRelease(ko: string): Promise<string | undefined> {
  return readModinfo(await readFile(ko)).get('vermagic')?.[0]?.split(' ')[0];
}

describe("the image's Debian kernel", () => {
  it('has the arm64 header, the banner of its release and a build-id', async () => {
    const info = await readKernelImage(images.kernel.imagePath);
    expect(info.release).toBe(images.kernel.release);
    expect(info.versionString).toMatch(new RegExp(`^Linux version ${images.kernel.release.replace(/\./g, '\\.')} \\(debian-kernel@lists\\.debian\\.org\\) .* #\\d+ SMP Debian ${images.kernel.packageVersion.replace(/[.+]/g, '\\$&')} `));
    expect(info.buildId).toMatch(/^[0-9a-f]{40}$/);
  });

  it('resolves as Image + a modules tarball, staged with modules.dep and a simulation module for its release', async () => {
    const tarball = join(work, 'modules.tar.gz');
    await tar.c({ gzip: true, file: tarball, cwd: images.kernel.modulesRoot }, [`lib/modules/${images.kernel.release}`]);
    const cacheDir = join(work, 'cache');
    const kut = await resolveKernelInput(
      { kind: 'image+modules', image: images.kernel.imagePath, modules: tarball, ...(images.kernel.buildDir ? { buildDir: images.kernel.buildDir } : {}) },
      { cacheDir },
    );
    expect(kut.source).toBe('image+modules');
    expect(kut.release).toBe(images.kernel.release);
    expect(kut.modulesRoot.startsWith(cacheDir)).toBe(true);
    const dep = await readFile(join(kut.modulesRoot, 'lib/modules', kut.release, 'modules.dep'), 'utf8');
    expect(dep).toMatch(/virtio_net\.ko:/);
    expect(await vermagicRelease(kut.simModulePath)).toBe(kut.release);
  }, 120_000);

  it('refuses its modules renamed to another release, by their vermagic', async () => {
    const { cp } = await import('node:fs/promises');
    const renamed = join(work, 'renamed');
    await cp(join(images.kernel.modulesRoot, 'lib/modules', images.kernel.release, 'kernel/drivers/net'), join(renamed, 'lib/modules/6.1.0-99-arm64/kernel/drivers/net'), { recursive: true });
    const modinfoless = await resolveKernelInput({ kind: 'image+modules', image: images.kernel.imagePath, modules: renamed }, { cacheDir: join(work, 'cache') }).catch((e: unknown) => e);
    expect(modinfoless).toBeInstanceOf(InputError);
    expect((modinfoless as InputError).code).toBe(KERNEL_INPUT_CODES.modulesRelease);
    expect((modinfoless as InputError).message).toContain(`6.1.0-99-arm64, but Image ${images.kernel.imagePath} is ${images.kernel.release}`);
  });
});

describe('a second Debian kernel: linux-image-rt-arm64', () => {
  it('resolves by package name, with modules, headers and a simulation module for its own release', async () => {
    const started = Date.now();
    const kut = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
    expect(kut.source).toBe('debian');
    expect(kut.release).toMatch(/^6\.1\.0-\d+-rt-arm64$/);
    expect(kut.release).not.toBe(images.kernel.release);
    expect(kut.versionString).toMatch(/ SMP PREEMPT_RT /);
    expect(kut.buildId).toMatch(/^[0-9a-f]{40}$/);
    expect(kut.imageSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(join(kut.modulesRoot, 'lib/modules', kut.release, 'modules.dep'))).toBe(true);
    expect(await vermagicRelease(kut.simModulePath)).toBe(kut.release);
    process.stderr.write(`[kernel-input] ${kut.release} resolved in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

    // The same package as a .deb file: apt's own bytes, so it reuses the same entries.
    const debDir = join(images.cacheDir, 'debs');
    const deb = (await import('node:fs/promises')).readdir(debDir).then((names) => names.find((n) => n.startsWith(`linux-image-${kut.release}_`)));
    const debName = await deb;
    expect(debName).toBeDefined();
    const fromDeb = await resolveKernelInput({ kind: 'deb', path: join(debDir, debName!) });
    expect(fromDeb).toEqual(kut);
    expect((await stat(fromDeb.imagePath)).size).toBeGreaterThan(10e6);
  }, 180_000);

  it('refuses a .deb that is not a linux-image package, naming it', async () => {
    const debDir = join(images.cacheDir, 'debs');
    const other = (await (await import('node:fs/promises')).readdir(debDir)).find((n) => n.startsWith('busybox-static_'))!;
    const error = await resolveKernelInput({ kind: 'deb', path: join(debDir, other) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe(KERNEL_INPUT_CODES.notImageDeb);
    expect((error as InputError).message).toContain(other);
  });
});
