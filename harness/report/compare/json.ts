// compare.json: the Comparison with a schema version, for dashboards and bots that comment on a patch.
import { readFile } from 'node:fs/promises';
import { InputError } from '../../core/errors.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import type { Comparison } from './compare.ts';

/** Bumped whenever a field changes meaning or goes away; adding a field keeps the version. */
export const COMPARE_SCHEMA_VERSION = 1;

export interface CompareDocument extends Comparison {
  kind: 'pilot-compare';
  schemaVersion: typeof COMPARE_SCHEMA_VERSION;
}

export function renderCompareJson(comparison: Comparison): string {
  const document: CompareDocument = { kind: 'pilot-compare', schemaVersion: COMPARE_SCHEMA_VERSION, ...comparison };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export async function writeCompareJson(comparison: Comparison, path: string): Promise<void> {
  await writeFileAtomic(path, renderCompareJson(comparison));
}

export async function readCompareJson(path: string): Promise<CompareDocument> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InputError('E_COMPARE_READ', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const document = parsed as Partial<CompareDocument> | null;
  if (document?.kind !== 'pilot-compare' || document.schemaVersion !== COMPARE_SCHEMA_VERSION || !Array.isArray(document.runs)) {
    throw new InputError(
      'E_COMPARE_VERSION',
      `${path}: expected a pilot compare file with schemaVersion ${COMPARE_SCHEMA_VERSION}, got kind ${JSON.stringify(document?.kind)} schemaVersion ${JSON.stringify(document?.schemaVersion)}`,
    );
  }
  return document as CompareDocument;
}
