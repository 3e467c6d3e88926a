// Every command's help comes from its declaration: --help lists each declared flag, and `pilot help X` says the same.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flagSignature } from '../../harness/cli/command-spec.ts';
import { main } from '../../harness/cli/main.ts';
import { COMMAND_SPECS } from '../../harness/cli/specs/index.ts';

/** Runs `pilot <argv>` in-process and returns its exit code with what it wrote. */
async function pilot(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('--help', () => {
  it.each(COMMAND_SPECS.map((spec) => [spec.name, spec] as const))('pilot %s --help lists every declared flag and exits 0', async (name, spec) => {
    const { code, out } = await pilot([name, '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^usage: pilot ${name}\\b`));
    for (const [flag, declared] of Object.entries(spec.flags)) expect(out, `--${flag}`).toContain(flagSignature(flag, declared));
    expect(out).toContain('-h, --help');
  });

  it.each(COMMAND_SPECS.map((spec) => spec.name))('pilot help %s says what pilot %s --help says', async (name) => {
    const viaHelp = await pilot(['help', name]);
    const viaFlag = await pilot([name, '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.out).toBe(viaFlag.out);
  });

  it('pilot --help lists every command with its summary', async () => {
    const { code, out } = await pilot(['--help']);
    expect(code).toBe(0);
    for (const spec of COMMAND_SPECS) expect(out).toMatch(new RegExp(`^  ${spec.name} +${spec.summary.replace(/[()]/g, '\\$&')}$`, 'm'));
  });
});

describe('pilot --version', () => {
  it("prints package.json's version", async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string };
    const { code, out } = await pilot(['--version']);
    expect(code).toBe(0);
    expect(out).toBe(`${version}\n`);
  });
});

describe('unknown flags and commands', () => {
  it('names the flag and the closest declared one, exit 2', async () => {
    const { code, err } = await pilot(['run', '--jobz', '3']);
    expect(code).toBe(2);
    expect(err).toContain('E_UNKNOWN_FLAG');
    expect(err).toContain('unknown flag --jobz; did you mean --jobs?');
  });

  it('suggests among short forms too, and refuses a flag another command has', async () => {
    expect((await pilot(['compare', '--kcidb', 'x.json'])).err).toMatch(/unknown flag --kcidb; did you mean --\w/);
    const { code, err } = await pilot(['schema', '--bord']);
    expect(code).toBe(2);
    expect(err).toContain('did you mean --board?');
  });

  it('names the closest command for an unknown one', async () => {
    const { code, err } = await pilot(['compair']);
    expect(code).toBe(2);
    expect(err).toContain("unknown command 'compair'; did you mean compare?");
  });
});
