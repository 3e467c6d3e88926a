// The README's command table is generated from the declarations: it must match them, and says how to regenerate when not.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { COMMANDS_BEGIN, readmeCommandsTable, REGENERATE_COMMANDS, renderCommandsTable } from '../../harness/cli/commands-table.ts';
import { defineCommand } from '../../harness/cli/command-spec.ts';

describe('renderCommandsTable', () => {
  it('writes one row per command: usage, summary and each flag as typed', () => {
    const spec = defineCommand({ name: 'x', summary: 'does x', operands: '<a|b>', flags: { jobs: { alias: 'j', value: 'N', description: 'n' }, dry: { description: 'd' } } });
    expect(renderCommandsTable([spec]).split('\n')).toEqual([
      '| command | what it does | options |',
      '|---|---|---|',
      '| `pilot x <a\\|b>` | does x | `-j, --jobs N`, `--dry`, `-h, --help` |',
    ]);
  });

  it("README.md's table is the one the declarations render", async () => {
    const actual = readmeCommandsTable(await readFile('README.md', 'utf8'));
    expect(actual, `README.md lacks the ${COMMANDS_BEGIN} section`).toBeDefined();
    expect(actual, `README.md's command table is out of date: run \`${REGENERATE_COMMANDS}\``).toBe(renderCommandsTable());
  });
});
