import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../harness/core/errors.ts';
import { missingConfigOptions, parseKernelConfig } from '../../harness/kernel/config.ts';
import { checkBuildDir } from '../../harness/kernel/build-dir.ts';
import { readKernelImage } from '../../harness/kernel/image.ts';
import { KERNEL_INPUT_CODES, buildIdFromKernelNotes, buildIdFromKernelNotesHex, kernelSpecFromArgument, parseElfNotes, resolveKernelInput } from '../../harness/kernel/input.ts';
import { GOOD_CONFIG, craftBuildDir, craftImage, craftModulesTree, kernelNotesBlob } from '../fixtures/kernel-input/craft.ts';
import { rejectionOf } from '../fakes/rejection.ts';

const BUILD_ID = '0ed29847cba3cbd9114b826b3a1ad39dd624ffa0';
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pilot-kernel-input-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function rejection(promise: Promise<unknown>): Promise<InputError> {
  return rejectionOf(promise, InputError);
}

describe('/sys/kernel/notes parsing', () => {
  it('finds the GNU build-id among the kernel notes', () => {
    const blob = kernelNotesBlob(BUILD_ID, '6.1.0-56-arm64');
    const notes = parseElfNotes(blob);
    expect(notes.map((n) => `${n.name}/${n.type}`)).toEqual(['GNU/3', 'Linux/257', 'Linux/256']);
    expect(notes[2]!.desc.toString('latin1')).toBe('6.1.0-56-arm64\0');
    expect(buildIdFromKernelNotes(blob)).toBe(BUILD_ID);
  });

  it('reads an od -An -tx1 dump as well as raw bytes, and says undefined when there is no build-id', () => {
    const blob = kernelNotesBlob(BUILD_ID, '6.1.0-56-arm64');
    const od = blob.toString('hex').replace(/(..)/g, ' $1').replace(/((?: ..){16})/g, '$1\n');
    expect(buildIdFromKernelNotesHex(od)).toBe(BUILD_ID);
    expect(buildIdFromKernelNotes(blob.subarray(blob.indexOf('Linux') - 12))).toBeUndefined();
    expect(parseElfNotes(Buffer.alloc(7))).toEqual([]);
  });
});

describe('reading an Image', () => {
  it('takes the numbered banner and the kernel build-id, not the placeholder or the vDSO one', async () => {
    const path = join(work, 'Image');
    await writeFile(path, craftImage('6.12.0-dev+', BUILD_ID));
    const info = await readKernelImage(path);
    expect(info.release).toBe('6.12.0-dev+');
    expect(info.versionString).toMatch(/^Linux version 6\.12\.0-dev\+ \(dev@host\) .* #3 SMP PREEMPT Thu Nov 20 10:00:00 UTC 2026$/);
    expect(info.buildId).toBe(BUILD_ID);
    expect(info.gzipped).toBe(false);
  });

  it('accepts Image.gz and hashes the gunzipped Image', async () => {
    const image = craftImage('6.12.0-dev+', BUILD_ID);
    await writeFile(join(work, 'Image.gz'), gzipSync(image));
    await writeFile(join(work, 'Image.plain'), image);
    const gz = await readKernelImage(join(work, 'Image.gz'));
    expect(gz.gzipped).toBe(true);
    expect(gz.sha256).toBe((await readKernelImage(join(work, 'Image.plain'))).sha256);
  });

  it('refuses a file without the arm64 magic, naming the file and the bytes', async () => {
    const path = join(work, 'not-arm64');
    await writeFile(path, craftImage('6.12.0', BUILD_ID, { magic: false }));
    const error = await rejection(readKernelImage(path));
    expect(error.code).toBe(KERNEL_INPUT_CODES.notArm64);
    expect(error.message).toContain(path);
    expect(error.message).toContain('bytes 56..59 are 00000000');
  });

  it('names a vmlinux given instead of the Image, a missing file, and an Image without banner', async () => {
    const elf = Buffer.alloc(128);
    elf.write('\x7fELF', 0, 'latin1');
    await writeFile(join(work, 'vmlinux'), elf);
    expect((await rejection(readKernelImage(join(work, 'vmlinux')))).message).toMatch(/vmlinux is not an arm64 kernel Image: an ELF file/);
    expect((await rejection(readKernelImage(join(work, 'nothing')))).code).toBe(KERNEL_INPUT_CODES.noImage);
    const bare = Buffer.alloc(4096);
    bare.write('ARM\x64', 56, 'latin1');
    await writeFile(join(work, 'bare'), bare);
    expect((await rejection(readKernelImage(join(work, 'bare')))).code).toBe(KERNEL_INPUT_CODES.noVersion);
  });
});

describe('kernel config', () => {
  it('names each missing option with what it has', () => {
    const config = parseKernelConfig(GOOD_CONFIG.replace('CONFIG_DEBUG_FS=y', '# CONFIG_DEBUG_FS is not set').replace('CONFIG_KEXEC=y', 'CONFIG_KEXEC=m').replace('CONFIG_ARM_SMMU_V3=y\n', ''));
    expect(missingConfigOptions(config).map((m) => `${m.option}=${m.got}`)).toEqual(['CONFIG_ARM_SMMU_V3=absent', 'CONFIG_DEBUG_FS=n', 'CONFIG_KEXEC=m']);
    expect(missingConfigOptions(parseKernelConfig(GOOD_CONFIG))).toEqual([]);
  });
});

describe('build directory validation (a real tree\'s happy path is not exercised here)', () => {
  it('refuses a tree without arch/arm64/boot/Image', async () => {
    const dir = join(work, 'no-image');
    await craftBuildDir(dir, { release: '6.12.0', config: GOOD_CONFIG });
    const error = await rejection(resolveKernelInput({ kind: 'build-dir', dir }, { cacheDir: join(work, 'cache') }));
    expect(error.code).toBe(KERNEL_INPUT_CODES.noImage);
    expect(error.message).toContain(join(dir, 'arch/arm64/boot/Image'));
  });

  it('refuses a tree without include/config/kernel.release', async () => {
    const dir = join(work, 'no-release');
    await craftBuildDir(dir, { image: craftImage('6.12.0', BUILD_ID), config: GOOD_CONFIG });
    const error = await rejection(checkBuildDir(dir));
    expect(error.code).toBe(KERNEL_INPUT_CODES.noRelease);
    expect(error.message).toContain(join(dir, 'include/config/kernel.release'));
  });

  it('names the options the simulation needs that .config lacks', async () => {
    const dir = join(work, 'bad-config');
    await craftBuildDir(dir, { image: craftImage('6.12.0', BUILD_ID), release: '6.12.0', config: GOOD_CONFIG.replace('CONFIG_ARM_SMMU_V3=y', '# CONFIG_ARM_SMMU_V3 is not set').replace('CONFIG_KEXEC=y', '') });
    const error = await rejection(checkBuildDir(dir));
    expect(error.code).toBe(KERNEL_INPUT_CODES.config);
    expect(error.message).toContain(join(dir, '.config'));
    expect(error.evidence.join('\n')).toMatch(/CONFIG_ARM_SMMU_V3=n, needs y or m/);
    expect(error.message).toContain('CONFIG_KEXEC');
  });

  it('refuses an Image older than the tree, naming both releases', async () => {
    const dir = join(work, 'stale');
    await craftBuildDir(dir, { image: craftImage('6.12.0-old', BUILD_ID), release: '6.12.0-new', config: GOOD_CONFIG });
    const error = await rejection(checkBuildDir(dir));
    expect(error.code).toBe(KERNEL_INPUT_CODES.releaseMismatch);
    expect(error.message).toMatch(/is 6\.12\.0-old but .*kernel\.release says 6\.12\.0-new/);
  });

  it('passes a complete crafted tree and reads its release, banner and build-id', async () => {
    const dir = join(work, 'complete');
    await craftBuildDir(dir, { image: craftImage('6.12.0-rc1', BUILD_ID), release: '6.12.0-rc1', config: GOOD_CONFIG });
    const checked = await checkBuildDir(dir);
    expect(checked.release).toBe('6.12.0-rc1');
    expect(checked.image.buildId).toBe(BUILD_ID);
  });
});

describe('Image + modules', () => {
  it('refuses modules of another release, naming both releases and the folder', async () => {
    const image = join(work, 'Image-6.12.0-a');
    await writeFile(image, craftImage('6.12.0-a', BUILD_ID));
    const modules = join(work, 'modules-b');
    await craftModulesTree(modules, '6.12.0-b');
    const error = await rejection(resolveKernelInput({ kind: 'image+modules', image, modules }, { cacheDir: join(work, 'cache') }));
    expect(error.code).toBe(KERNEL_INPUT_CODES.modulesRelease);
    expect(error.message).toContain(modules);
    expect(error.message).toContain('6.12.0-b');
    expect(error.message).toContain(`Image ${image} is 6.12.0-a`);
  });

  it('classifies --kernel arguments', async () => {
    expect(await kernelSpecFromArgument(work)).toEqual({ kind: 'build-dir', dir: work });
    expect(await kernelSpecFromArgument('linux-image-rt-arm64')).toEqual({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
    expect((await rejection(kernelSpecFromArgument(join(work, 'Image')))).code).toBe(KERNEL_INPUT_CODES.noModules);
    expect((await rejection(kernelSpecFromArgument('linux-imag-arm64'))).code).toBe(KERNEL_INPUT_CODES.unknown);
  });
});
