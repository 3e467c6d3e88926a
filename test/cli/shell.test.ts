// `pilot shell` refuses, with exit 2 and a code, a run that kept no machine; its argument errors are bad flags.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../harness/cli/main.ts';

async function pilot(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('pilot shell', () => {
  it('refuses a run that kept no machine, with exit 2 and E_SHELL_NOT_KEPT', async () => {
    const base = await mkdtemp(join(tmpdir(), 'pilot-shell-cli-'));
    const { code, err } = await pilot(['shell', 'boot-el1@el1', '--artifacts', base]);
    expect(code).toBe(2);
    expect(err).toContain(`pilot shell: E_SHELL_NOT_KEPT: no run 'boot-el1@el1' with a keep.json under ${base}: that run's machine was not kept`);
    expect(err).toMatch(/hint: `pilot run --keep-failed` keeps the machine of a run that FAILs or ERRORs/);
  });

  it('asks for a run when given none', async () => {
    const { code, err } = await pilot(['shell']);
    expect(code).toBe(2);
    expect(err).toMatch(/E_BAD_FLAG: pilot shell: name a run \(scenario@profile\) or its artifacts folder/);
  });

  it('refuses --keep-for without --keep-failed on pilot run before anything loads', async () => {
    const { code, err } = await pilot(['run', '--keep-for', '5m', 'scenarios/boot-el1.yaml']);
    expect(code).toBe(2);
    expect(err).toMatch(/E_BAD_FLAG: --keep-for says how long --keep-failed keeps a machine/);
  });
});
