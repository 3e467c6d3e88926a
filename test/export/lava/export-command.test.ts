import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportCommand } from '../../../harness/cli/commands/export.ts';
import { lavaValidate } from './lava-validator.ts';

describe('pilot export (command)', () => {
  it('writes a LAVA job for a scenario to the file given with -o', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'pilot-export-')), 'job.yaml');
    const code = await exportCommand([
      'lava', 'scenarios/soc-stop-restart.yaml', '--device-type', 'qemu', '--profile', 'el1',
      '--kernel-url', 'https://example.org/Image', '--initrd-url', 'https://example.org/initramfs.cpio.gz', '-o', out,
    ]);
    expect(code).toBe(0);
    const job = await readFile(out, 'utf8');
    expect(job).toContain('job_name: pilot soc-stop-restart on el1 (qemu)');
    expect(lavaValidate([job])).toEqual([null]);
  });

  it('refuses a missing device type, missing URLs and an unknown format', async () => {
    await expect(exportCommand(['lava', 'scenarios/boot-el1.yaml', '--kernel-url', 'a', '--initrd-url', 'b'])).rejects.toMatchObject({ code: 'E_BAD_FLAG' });
    await expect(exportCommand(['lava', 'scenarios/boot-el1.yaml', '--device-type', 'qemu'])).rejects.toMatchObject({ code: 'E_BAD_FLAG' });
    await expect(exportCommand(['tekton', 'scenarios/boot-el1.yaml'])).rejects.toMatchObject({ code: 'E_BAD_FLAG' });
  });
});
