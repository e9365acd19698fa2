// A small JSON Schema validator for the keywords the compiler supports, written from the
// specification's wording, independently of src/constrain, so the random-walk tests check
// the grammar against the schema's meaning. Returns the first problem, or null.
type Schema = Record<string, any> | boolean;

const FORMATS: Record<string, RegExp> = {
  date: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
  time: /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/,
  'date-time': /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/,
  uuid: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  email: /^[^@\s"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/,
};

export function validate(value: unknown, schema: Schema, root: Schema = schema, path = ''): string | null {
  if (schema === true) return null;
  if (schema === false) return `${path}: false schema`;
  const s = schema;
  if (s.$ref) return validate(value, resolve(root, s.$ref), root, path);
  if (s.nullable === true && value === null) return null;
  if (s.allOf) for (const sub of s.allOf) { const e = validate(value, sub, root, path); if (e) return e; }
  if (s.anyOf && !s.anyOf.some((sub: Schema) => validate(value, sub, root, path) === null)) return `${path}: no anyOf branch matches`;
  if (s.oneOf && !s.oneOf.some((sub: Schema) => validate(value, sub, root, path) === null)) return `${path}: no oneOf branch matches`;
  if ('const' in s && !deepEqual(value, s.const)) return `${path}: not the const`;
  if (s.enum && !s.enum.some((v: unknown) => deepEqual(v, value))) return `${path}: not in enum`;
  if (s.type !== undefined) {
    const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((t) => hasType(value, t))) return `${path}: expected ${types.join('|')}, got ${JSON.stringify(value)}`;
  }
  if (typeof value === 'string') {
    const n = [...value].length;
    if (s.minLength !== undefined && n < s.minLength) return `${path}: shorter than ${s.minLength}`;
    if (s.maxLength !== undefined && n > s.maxLength) return `${path}: longer than ${s.maxLength}`;
    if (s.format && !FORMATS[s.format].test(value)) return `${path}: not a ${s.format}: ${JSON.stringify(value)}`;
    if (s.pattern && !new RegExp(s.pattern, 'u').test(value)) return `${path}: does not match ${s.pattern}: ${JSON.stringify(value)}`;
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) return `${path}: below minimum`;
    if (s.maximum !== undefined && value > s.maximum) return `${path}: above maximum`;
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) return `${path}: not above exclusiveMinimum`;
    if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) return `${path}: not below exclusiveMaximum`;
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) return `${path}: fewer than ${s.minItems} items`;
    if (s.maxItems !== undefined && value.length > s.maxItems) return `${path}: more than ${s.maxItems} items`;
    const prefix: Schema[] = s.prefixItems ?? [];
    for (let i = 0; i < value.length; i++) {
      const sub = i < prefix.length ? prefix[i] : s.items ?? true;
      const e = validate(value[i], sub, root, `${path}/${i}`);
      if (e) return e;
    }
  }
  if (isObject(value)) {
    for (const r of s.required ?? []) if (!(r in value)) return `${path}: missing ${r}`;
    for (const [k, v] of Object.entries(value)) {
      const sub = s.properties?.[k] ?? s.additionalProperties ?? true;
      const e = validate(v, sub, root, `${path}/${k}`);
      if (e) return e;
    }
  }
  return null;
}

function hasType(v: unknown, t: string): boolean {
  switch (t) {
    case 'null': return v === null;
    case 'boolean': return typeof v === 'boolean';
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'array': return Array.isArray(v);
    case 'object': return isObject(v);
    default: throw new Error(`type ${t}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function resolve(root: Schema, ref: string): Schema {
  let cur: any = root;
  for (const seg of ref.slice(2).split('/').filter(Boolean)) cur = cur[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  return cur;
}
