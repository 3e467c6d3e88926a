import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode, lookupErrorCode } from '../../harness/core/error-codes.ts';
import { checkAgainstCatalogue, describeProblems, findCodeUses } from './code-literals.ts';

const CATALOGUE_FILE = 'harness/core/error-codes.ts';
const CATALOGUED = Object.keys(ERROR_CODES);

// The catalogue itself is left out: otherwise every entry would count as its own use and nothing could go stale.
async function harnessSources(): Promise<Array<{ file: string; source: string }>> {
  const entries = await readdir('harness', { withFileTypes: true, recursive: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => file !== CATALOGUE_FILE)
    .sort();
  return Promise.all(files.map(async (file) => ({ file, source: await readFile(file, 'utf8') })));
}

describe('findCodeUses', () => {
  it('finds a code written as a string literal, with its line', () => {
    const source = "const a = 1;\n  throw new InfraError('E_SSH_LOST', 'the SSH connection dropped');";
    expect(findCodeUses('sample.ts', source)).toEqual([{ file: 'sample.ts', line: 2, code: 'E_SSH_LOST' }]);
  });

  it('finds codes in double quotes, backticks and several on one line', () => {
    const source = `const codes = ["F_RPROC_STATE", \`E_QEMU_EXIT\`, 'E_QEMU_HARDWARE_ERROR'];`;
    expect(findCodeUses('sample.ts', source).map((use) => use.code)).toEqual(['F_RPROC_STATE', 'E_QEMU_EXIT', 'E_QEMU_HARDWARE_ERROR']);
  });

  it('ignores strings that are not codes', () => {
    const source = [
      "env: { LC_ALL: 'C' }, name: 'XEN_PACKAGE', other: 'S_IFMT'",
      "const prefix = 'E_'; const lower = 'e_ssh_lost'; const trailing = 'E_PUSH_';",
      "const sentence = 'E_SSH_LOST happened'; const dynamic = `E_${kind}`; const glued = 'XE_SSH_LOST';",
      "const mixed = 'E_SSH_LOST\"; const ellipsis = 'E_PUSH_…';",
      '// E_TIMEOUT unless the caller names a more precise one',
    ].join('\n');
    expect(findCodeUses('sample.ts', source)).toEqual([]);
  });
});

describe('checkAgainstCatalogue', () => {
  it('fails on a code the catalogue lacks, naming file, line and code', () => {
    const uses = findCodeUses('harness/steps/made-up.ts', "ok();\nthrow new AssertionFailure('F_NO_SUCH_CODE', 'made up');");
    const check = checkAgainstCatalogue(uses, ['E_SSH_LOST', 'F_NO_SUCH_COD']);
    expect(check.unknown).toEqual([{ file: 'harness/steps/made-up.ts', line: 2, code: 'F_NO_SUCH_CODE' }]);
    expect(describeProblems(check, CATALOGUE_FILE)).toContain(`harness/steps/made-up.ts:2: F_NO_SUCH_CODE is not in ${CATALOGUE_FILE}`);
  });

  it('fails on catalogue entries nothing uses', () => {
    const check = checkAgainstCatalogue(findCodeUses('a.ts', "throw new InfraError('E_SSH_LOST', 'x');"), ['E_SSH_LOST', 'E_GONE']);
    expect(check).toEqual({ unknown: [], stale: ['E_GONE'] });
    expect(describeProblems(check, CATALOGUE_FILE)).toEqual([`${CATALOGUE_FILE}: E_GONE is catalogued but nothing uses it any more`]);
  });

  it('passes when every use is catalogued and every entry used', () => {
    const check = checkAgainstCatalogue(findCodeUses('a.ts', "['E_SSH_LOST', 'E_SSH_LOST']"), ['E_SSH_LOST']);
    expect(describeProblems(check, CATALOGUE_FILE)).toEqual([]);
  });
});

describe('the error-code catalogue', () => {
  it('lists every code harness/ uses, and nothing it no longer uses', async () => {
    const sources = await harnessSources();
    expect(sources.length).toBeGreaterThan(100);
    const uses = sources.flatMap(({ file, source }) => findCodeUses(file, source));
    expect(describeProblems(checkAgainstCatalogue(uses, CATALOGUED), CATALOGUE_FILE)).toEqual([]);
  });

  it('is in code order, so each new code has one obvious place', () => {
    expect(CATALOGUED).toEqual([...CATALOGUED].sort());
  });

  it('gives every code a one-line meaning and a class that matches its prefix', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(entry.meaning, code).toMatch(/^\S[^\n]*\.$/);
      // F_ is the kernel's failure and nothing else is: a FAIL under an E_ name would mislead whoever reads the code.
      expect(entry.class === 'FAIL', code).toBe(code.startsWith('F_'));
    }
  });

  it('looks codes up, and answers undefined for codes it does not know', () => {
    expect(lookupErrorCode('F_KERNEL_PANIC')?.class).toBe('FAIL');
    expect(lookupErrorCode('E_BAD_FLAG')?.class).toBe('INPUT');
    expect(lookupErrorCode('E_NO_SUCH_CODE')).toBeUndefined();
    expect(isErrorCode('toString')).toBe(false);
  });
});
