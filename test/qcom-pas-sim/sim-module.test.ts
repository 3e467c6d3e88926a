// The simulated SoC module, cross-compiled for the Debian kernel pilot boots, and the errors a broken build gives.
import { cp, mkdtemp, readFile, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraError, InputError } from '../../harness/core/errors.ts';
import { SIM_MODULE_DEFINES, SIM_MODULE_SOURCE_DIR, buildErrorLines, buildSimModule, simModuleInputsDigest } from '../../harness/images/sim-module/build-module.ts';
import { readModinfo } from '../../harness/images/sim-module/modinfo.ts';
import type { ImageSet } from '../../harness/images/image-set.ts';
import { guestImages } from './support/kernel.ts';

let dir: string;
let images: ImageSet;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pilot-simmod-'));
  images = await guestImages();
}, 600_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const options = (outDir: string) => ({ buildDir: images.kernel.buildDir!, release: images.kernel.release, outDir: join(dir, outDir) });

async function failure<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(type);
  return error as T;
}

describe('buildSimModule', () => {
  it('builds a module for exactly the kernel it is asked for', async () => {
    const ko = await buildSimModule(options('good'));
    expect(ko).toBe(join(dir, 'good', 'qcom_pas_sim.ko'));
    const info = readModinfo(await readFile(ko));
    expect(info.get('vermagic')?.[0]).toMatch(new RegExp(`^${images.kernel.release} SMP .*aarch64`));
    expect(info.get('license')).toEqual(['GPL']);
    expect(info.get('depends')?.[0]?.split(',')).toContain('videodev');
    expect(info.get('alias')).toContain('pci:v00001234d000011E8sv*sd*bc*sc*i*');
    expect((await readFile(ko)).length).toBeLessThan(200_000);
  }, 120_000);

  it('builds the variant with the carve-out mapping left out', async () => {
    const ko = await buildSimModule({ ...options('skip'), defines: [SIM_MODULE_DEFINES.skipCarveoutMap] });
    const text = (await readFile(ko)).toString('latin1');
    expect(text).toContain('carve-out left unmapped (test build)');
    expect(text).not.toContain('mapped 1:1 for stream');
  }, 120_000);

  it('quotes the compiler when the sources do not build', async () => {
    const broken = join(dir, 'broken-src');
    await cp(SIM_MODULE_SOURCE_DIR, broken, { recursive: true });
    await appendFile(join(broken, 'tz.c'), '\nint this_does_not_compile = ;\n');
    const error = await failure(buildSimModule({ ...options('broken'), sourceDir: broken }), InfraError);
    expect(error.code).toBe('E_MODULE_BUILD');
    expect(error.message).toMatch(/tz\.c:\d+:\d+: error/);
    expect(error.evidence.some((line) => /tz\.c:\d+:\d+: error: expected expression/.test(line))).toBe(true);
  }, 120_000);

  it('refuses headers of another kernel and malformed defines before building', async () => {
    const mismatch = await failure(buildSimModule({ ...options('x'), release: '6.1.0-1-arm64' }), InfraError);
    expect(mismatch.message).toMatch(new RegExp(`is for kernel ${images.kernel.release}, not 6.1.0-1-arm64`));
    const define = await failure(buildSimModule({ ...options('y'), defines: ['OK', 'X; rm -rf /'] }), InputError);
    expect(define.code).toBe('E_MODULE_DEFINE');
  });
});

describe('simModuleInputsDigest', () => {
  it('changes with the defines and not with their order', async () => {
    const plain = await simModuleInputsDigest();
    expect(await simModuleInputsDigest(['A', 'B'])).toBe(await simModuleInputsDigest(['B', 'A']));
    expect(await simModuleInputsDigest(['A'])).not.toBe(plain);
  });
});

describe('buildErrorLines', () => {
  it('keeps compiler errors and make failures only', () => {
    const out = ['  CC [M]  /x/main.o', '/x/tz.c:5:1: error: expected expression', 'make[2]: *** [x] Error 1', 'warning: unused'].join('\n');
    expect(buildErrorLines(out)).toEqual(['/x/tz.c:5:1: error: expected expression', 'make[2]: *** [x] Error 1']);
  });

  it('puts a missing host tool first, ahead of the make lines it caused', () => {
    // As a 6.12.118 headers tree printed it on a machine without pahole.
    const out = ['# BTF [M] /x/qcom_pas_sim.ko', '/bin/sh: 1: pahole: not found', 'make[2]: *** [/h/scripts/Makefile.modfinal:64: /x/qcom_pas_sim.ko] Error 127'].join('\n');
    expect(buildErrorLines(out)[0]).toBe('/bin/sh: 1: pahole: not found');
  });
});
