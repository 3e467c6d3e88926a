import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { schemaCommand } from '../../harness/cli/commands/schema.ts';
import { boardJsonSchema } from '../../harness/machine/board/board-file.ts';
import { scenarioJsonSchema, STEP_COMMON_KEYS } from '../../harness/scenario/schema.ts';
import { STEP_KINDS } from '../../harness/steps/registry.ts';
import { Ajv2020 } from 'ajv/dist/2020.js';

async function yamlFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const schema = scenarioJsonSchema(STEP_KINDS);
// Ajv reads the schema as editors' YAML language servers do, independently of zod; strict mode refuses unknown keywords.
// zod places `required` inside anyOf branches whose properties sit one level up: valid JSON Schema, but not Ajv's strictRequired style.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
ajv.addFormat('regex', (text: string) => {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
});
const validate = ajv.compile(schema);

function checkJsonSchema(data: unknown): string[] {
  return validate(data) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.message}`);
}
const stepBranches = ((schema.properties as any).steps.items.oneOf ?? []) as Array<Record<string, any>>;

describe('scenario JSON Schema', () => {
  it('has one strict oneOf branch per step kind, titled and described from the kind', () => {
    expect(stepBranches.map((branch) => [branch.title, branch.description, branch.additionalProperties, branch.required])).toEqual(
      STEP_KINDS.map((kind) => [kind.name, kind.description, false, [kind.name]]),
    );
    for (const branch of stepBranches) expect(Object.keys(branch.properties).sort()).toEqual([branch.title, ...STEP_COMMON_KEYS].sort());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.title).toBe('pilot scenario');
  });

  it('accepts every scenario in scenarios/ and the valid fixtures', async () => {
    const files = [...(await yamlFiles('scenarios')), ...(await yamlFiles('test/fixtures/scenarios'))];
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const data = parse(await readFile(file, 'utf8'));
      expect({ file, errors: checkJsonSchema(data) }).toEqual({ file, errors: [] });
    }
  });

  it('rejects a typo in a step, an unknown kind, a bad duration and a missing name', () => {
    const valid = { name: 'a', steps: [{ 'expect-dmesg': { contains: 'x' } }] };
    expect(checkJsonSchema(valid)).toEqual([]);
    expect(checkJsonSchema({ name: 'a', steps: [{ 'expect-dmesg': { contians: 'x' } }] })).not.toEqual([]);
    expect(checkJsonSchema({ name: 'a', steps: [{ 'expect-dmsg': { contains: 'x' } }] })).not.toEqual([]);
    expect(checkJsonSchema({ ...valid, timeout: 'soon' })).not.toEqual([]);
    expect(checkJsonSchema({ steps: valid.steps })).not.toEqual([]);
    expect(checkJsonSchema({ ...valid, 'fault-storm': {} })).not.toEqual([]);
  });

  it('is what `pilot schema` prints and writes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pilot-schema-'));
    const out = join(dir, 'scenario.schema.json');
    expect(await schemaCommand(['--out', out])).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(schema);

    const chunks: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => chunks.push(chunk) > 0) as typeof process.stdout.write;
    try {
      expect(await schemaCommand([])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(JSON.parse(chunks.join(''))).toEqual(schema);
    await expect(schemaCommand(['extra'])).rejects.toMatchObject({ code: 'E_BAD_FLAG' });

    const boardOut = join(dir, 'board.schema.json');
    expect(await schemaCommand(['--board', '--out', boardOut])).toBe(0);
    expect(JSON.parse(await readFile(boardOut, 'utf8'))).toEqual(boardJsonSchema());
  });
});
