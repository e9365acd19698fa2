// Objects: declared properties in schema order, required ones always, optional ones
// possibly skipped. Two rule chains keep the grammar linear in the number of properties:
// first(i) = properties i.. with none written yet (no leading comma), after(i) = properties
// i.. after at least one was written (each with a leading comma).
import { alt, type Expr, lit, seq } from './grammar.ts';
import type { SchemaCompiler } from './json-schema.ts';
import { pointerSegment } from './errors.ts';
import { isObject, unsupported } from './json-schema-util.ts';

interface Member {
  readonly name: string;
  readonly value: Expr;
  readonly required: boolean;
}

export function objectExpr(c: SchemaCompiler, s: Record<string, unknown>, path: string): Expr {
  const { b, j } = c;
  if (s.properties !== undefined && !isObject(s.properties)) throw unsupported('properties', path, 'properties must be an object');
  const props = (s.properties ?? {}) as Record<string, unknown>;
  if (s.required !== undefined && !(Array.isArray(s.required) && s.required.every((r) => typeof r === 'string'))) {
    throw unsupported('required', path, 'required must be an array of strings');
  }
  const required = new Set((s.required ?? []) as string[]);
  const additional = s.additionalProperties;
  const extraPath = `${path}/additionalProperties`;

  if (Object.keys(props).length === 0 && required.size === 0) {
    if (additional === false) return seq(lit('{'), j.innerWs, lit('}'));
    if (additional === undefined || additional === true) return j.anyObject;
    return j.mapOf(c.compile(additional, extraPath));
  }

  const members: Member[] = [];
  for (const [name, schema] of Object.entries(props)) {
    // `false`: the property must be absent.
    if (schema === false && !required.has(name)) continue;
    members.push({ name, value: c.compile(schema, `${path}/properties/${pointerSegment(name)}`), required: required.has(name) });
  }
  for (const name of required) {
    if (Object.hasOwn(props, name)) continue;
    if (additional === false) throw unsupported('required', path, `required property "${name}" is not declared and additionalProperties is false`);
    members.push({ name, value: c.compile(additional ?? true, extraPath), required: true });
  }

  const sep = seq(lit(','), j.sepWs);
  const pair = (m: Member) => seq(lit(JSON.stringify(m.name)), lit(':'), j.sepWs, m.value);
  let first: Expr = seq();
  let after: Expr = seq();
  for (let i = members.length - 1; i >= 0; i--) {
    const m = members[i];
    const written = seq(sep, pair(m), after);
    const nextFirst = seq(pair(m), after);
    after = b.add('obj-after', m.required ? written : alt(written, after));
    first = b.add('obj-first', m.required ? nextFirst : alt(nextFirst, first));
  }
  return seq(lit('{'), j.innerWs, first, j.innerWs, lit('}'));
}
