import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../harness/core/error-codes.ts';
import {
  readmeErrorCodesTable,
  REGENERATE_COMMAND,
  renderErrorCodesTable,
  TABLE_BEGIN,
  TABLE_END,
  withErrorCodesTable,
} from '../../harness/core/error-codes-table.ts';

describe('renderErrorCodesTable', () => {
  it('renders code | class | meaning, one row per code in code order', () => {
    const table = renderErrorCodesTable({
      F_RPROC_STATE: { class: 'FAIL', meaning: 'A processor is in another state.' },
      E_BAD_FLAG: { class: 'INPUT', meaning: 'A flag is wrong.' },
    });
    expect(table.split('\n')).toEqual([
      '| code | class | meaning |',
      '|---|---|---|',
      '| `E_BAD_FLAG` | INPUT | A flag is wrong. |',
      '| `F_RPROC_STATE` | FAIL | A processor is in another state. |',
    ]);
  });

  it('keeps meanings plain text in markdown', () => {
    const table = renderErrorCodesTable({ E_DTB_SYMBOLS: { class: 'ERROR', meaning: 'no __symbols__ in lib/modules/<release> or *.yaml | x' } });
    expect(table.split('\n').at(-1)).toBe('| `E_DTB_SYMBOLS` | ERROR | no \\_\\_symbols\\_\\_ in lib/modules/&lt;release&gt; or \\*.yaml \\| x |');
  });

  it('renders all catalogued codes', () => {
    expect(renderErrorCodesTable().split('\n')).toHaveLength(Object.keys(ERROR_CODES).length + 2);
  });
});

describe('the README section', () => {
  const readme = `# x\n\nintro\n\n${TABLE_BEGIN}\n| old |\n${TABLE_END}\n\n## next\n`;

  it('reads and replaces only what lies between the markers', () => {
    expect(readmeErrorCodesTable(readme)).toBe('| old |');
    const updated = withErrorCodesTable(readme, '| new |\n| rows |');
    expect(updated).toBe(`# x\n\nintro\n\n${TABLE_BEGIN}\n| new |\n| rows |\n${TABLE_END}\n\n## next\n`);
    expect(withErrorCodesTable(updated, '| new |\n| rows |')).toBe(updated);
  });

  it('fills an empty section and refuses a README without one', () => {
    const empty = `${TABLE_BEGIN}\n${TABLE_END}\n`;
    expect(readmeErrorCodesTable(empty)).toBe('');
    expect(withErrorCodesTable(empty, '| t |')).toBe(`${TABLE_BEGIN}\n| t |\n${TABLE_END}\n`);
    expect(readmeErrorCodesTable('# no section\n')).toBeUndefined();
    expect(() => withErrorCodesTable('# no section\n', '| t |')).toThrow(TABLE_BEGIN);
  });

  it("README.md's table is the one the catalogue renders", async () => {
    const actual = readmeErrorCodesTable(await readFile('README.md', 'utf8'));
    expect(actual, `README.md lacks the ${TABLE_BEGIN} section`).toBeDefined();
    expect(actual, `README.md's error-code table is out of date: run \`${REGENERATE_COMMAND}\``).toBe(renderErrorCodesTable());
  });
});
