// Ajv over the published KCIDB I/O schema. The schema uses $defs (2020-12 vocabulary), hence Ajv2020. Its formats
// (uri, date-time, email) are checked here by small RFC-shaped checks because ajv-formats is not a dependency.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

export const KCIDB_SCHEMA_FILE = new URL('../../fixtures/kcidb/kcidb-io-schema-v5.3.json', import.meta.url);

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function kcidbValidator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addFormat('date-time', (text: string) => RFC3339.test(text) && Number.isFinite(Date.parse(text)));
  ajv.addFormat('uri', (text: string) => {
    if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\S*$/.test(text)) return false;
    try {
      new URL(text);
      return true;
    } catch {
      return false;
    }
  });
  ajv.addFormat('email', (text: string) => /^[^\s@]+@[^\s@]+$/.test(text));
  const validate = ajv.compile(JSON.parse(readFileSync(KCIDB_SCHEMA_FILE, 'utf8')) as object);
  return (document: unknown): string[] => {
    if (validate(document)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`.trim());
  };
}
