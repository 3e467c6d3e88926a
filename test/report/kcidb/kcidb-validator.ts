// Ajv over the published KCIDB I/O schema. The schema uses $defs (2020-12 vocabulary), hence Ajv2020; ajv-formats
// checks its uri, date-time and email formats as the schema's authors intend.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const KCIDB_SCHEMA_FILE = new URL('../../fixtures/kcidb/kcidb-io-schema-v5.3.json', import.meta.url);

export function kcidbValidator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(KCIDB_SCHEMA_FILE, 'utf8')) as object);
  return (document: unknown): string[] => {
    if (validate(document)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`.trim());
  };
}
