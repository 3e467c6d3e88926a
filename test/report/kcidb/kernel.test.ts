import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitFactsFromEnv, kcidbKernelOf } from '../../../harness/report/kcidb/kernel.ts';

describe('the kernel under test for KCIDB', () => {
  it('hashes the image and takes git facts from PILOT_GIT_* variables', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'pilot-kcidb-kernel-'));
    const imagePath = join(folder, 'Image');
    await writeFile(imagePath, 'not really a kernel');
    const kernel = await kcidbKernelOf(
      { release: '6.1.0-56-arm64', packageVersion: '6.1.174-1', imagePath, modulesRoot: folder, buildDir: undefined },
      { PILOT_GIT_COMMIT: 'f'.repeat(40), PILOT_GIT_BRANCH: 'rproc-next' },
    );
    expect(kernel).toEqual({
      release: '6.1.0-56-arm64',
      version: '6.1.174-1',
      imageSha256: createHash('sha256').update('not really a kernel').digest('hex'),
      configName: 'debian-arm64',
      architecture: 'arm64',
      git: { commit: 'f'.repeat(40), branch: 'rproc-next' },
    });
    await rm(folder, { recursive: true });
  });

  it('has no git facts when no variable is set', () => {
    expect(gitFactsFromEnv({})).toBeUndefined();
  });
});
