// A small JSON Schema checker for the keywords pilot's generated schema uses, so the schema is tested as editors read it,
// independently of zod. It refuses keywords it does not know, so a new keyword cannot be silently ignored.

type Schema = Record<string, unknown> | boolean;

const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'default', 'format', 'examples', '$id']);
const KNOWN = new Set([
  ...ANNOTATIONS,
  'type', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems',
  'enum', 'const', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'anyOf', 'oneOf', 'allOf',
]);

/** Error strings ("at /steps/0: …"), empty when `value` is valid. */
export function checkJsonSchema(schema: Schema, value: unknown, at = ''): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at || '/'}: not allowed`];
  for (const keyword of Object.keys(schema)) {
    if (!KNOWN.has(keyword)) throw new Error(`json-schema-check: unsupported keyword '${keyword}' at ${at || '/'}`);
  }
  const errors: string[] = [];
  const fail = (message: string) => errors.push(`${at || '/'}: ${message}`);
  const s = schema as Record<string, any>;

  if (s.type !== undefined) {
    const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((type) => hasType(value, type))) return [`${at || '/'}: expected ${types.join('|')}`];
  }
  if (s.enum && !s.enum.some((option: unknown) => equal(option, value))) fail(`not one of ${JSON.stringify(s.enum)}`);
  if ('const' in s && !equal(s.const, value)) fail(`not ${JSON.stringify(s.const)}`);
  if (typeof value === 'string') {
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) fail(`does not match ${s.pattern}`);
    if (s.minLength !== undefined && [...value].length < s.minLength) fail('too short');
    if (s.maxLength !== undefined && [...value].length > s.maxLength) fail('too long');
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) fail(`below ${s.minimum}`);
    if (s.maximum !== undefined && value > s.maximum) fail(`above ${s.maximum}`);
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) fail(`not above ${s.exclusiveMinimum}`);
    if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) fail(`not below ${s.exclusiveMaximum}`);
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) fail(`fewer than ${s.minItems} items`);
    if (s.maxItems !== undefined && value.length > s.maxItems) fail(`more than ${s.maxItems} items`);
    if (s.items !== undefined) value.forEach((item, index) => errors.push(...checkJsonSchema(s.items, item, `${at}/${index}`)));
  }
  if (isObject(value)) {
    const properties: Record<string, Schema> = s.properties ?? {};
    for (const key of s.required ?? []) if (!(key in value)) fail(`missing required '${key}'`);
    for (const [key, item] of Object.entries(value)) {
      if (key in properties) errors.push(...checkJsonSchema(properties[key]!, item, `${at}/${key}`));
      else if (s.additionalProperties !== undefined) errors.push(...checkJsonSchema(s.additionalProperties, item, `${at}/${key}`));
    }
  }
  if (s.allOf) for (const part of s.allOf) errors.push(...checkJsonSchema(part, value, at));
  if (s.anyOf && !s.anyOf.some((part: Schema) => checkJsonSchema(part, value, at).length === 0)) fail('matches none of anyOf');
  if (s.oneOf) {
    const passing = s.oneOf.filter((part: Schema) => checkJsonSchema(part, value, at).length === 0).length;
    if (passing !== 1) fail(`matches ${passing} of oneOf, expected exactly 1`);
  }
  return errors;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number';
    case 'integer': return Number.isInteger(value);
    case 'boolean': return typeof value === 'boolean';
    case 'null': return value === null;
    case 'array': return Array.isArray(value);
    case 'object': return isObject(value);
    default: throw new Error(`json-schema-check: unknown type '${type}'`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
