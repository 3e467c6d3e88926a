// Every environment variable the harness reads is in the catalogue, every entry is still read, and the README shows the catalogue.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_MARKERS, ENVIRONMENT_VARIABLES, renderEnvironmentTable } from '../../harness/core/environment.ts';
import { readSection } from '../../harness/core/readme-section.ts';

const HARNESS = fileURLToPath(new URL('../../harness/', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** `env.NAME`, `process.env.NAME` and `env['NAME']` where NAME is an upper-case variable name. */
export function variablesRead(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)\b|\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\])/g)) names.add(match[1] ?? match[2]!);
  return [...names];
}

function harnessFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? harnessFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('the environment catalogue', () => {
  const read = new Map<string, string>();
  for (const file of harnessFiles(HARNESS)) {
    if (file.endsWith('core/environment.ts')) continue;
    for (const name of variablesRead(readFileSync(file, 'utf8'))) read.set(name, relative(HARNESS, file));
  }

  it('finds env.NAME, process.env.NAME and env["NAME"], and not lower-case fields', () => {
    expect(variablesRead("const a = process.env.PILOT_CACHE; b = env['NO_COLOR']; c = env.flash; d = options.env.CI")).toEqual(['PILOT_CACHE', 'NO_COLOR', 'CI']);
  });

  it('lists every variable the harness reads', () => {
    const listed = new Set(ENVIRONMENT_VARIABLES.map((variable) => variable.name));
    expect([...read].filter(([name]) => !listed.has(name)).map(([name, file]) => `${file} reads ${name}, which harness/core/environment.ts does not list`)).toEqual([]);
  });

  it('lists nothing the harness no longer reads', () => {
    expect(ENVIRONMENT_VARIABLES.map((variable) => variable.name).filter((name) => !read.has(name))).toEqual([]);
  });

  it('is the README table (regenerate with: npm run docs:environment)', () => {
    expect(readSection(readFileSync(README, 'utf8'), ENVIRONMENT_MARKERS), 'README.md environment table is out of date: run `npm run docs:environment`').toBe(renderEnvironmentTable());
  });
});
