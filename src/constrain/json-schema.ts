// JSON Schema -> grammar whose sentences are JSON texts that validate against the schema.
//
// Supported: type (one or a list), properties / required / additionalProperties, enum,
// const, items / prefixItems / minItems / maxItems, anyOf / oneOf (as alternation; oneOf's
// exclusivity is not enforced), allOf with one member, $ref into the same document
// (#, #/$defs/..., #/definitions/..., recursive ones too), string minLength / maxLength /
// format (date, time, date-time, uuid, email) / pattern (regex subset, see regex.ts; with
// both, the pattern is what the output follows),
// minimum / maximum / exclusive* (see json-numbers.ts), nullable (OpenAPI). Annotations are
// ignored. Anything else throws ConstraintError naming the keyword and its JSON pointer.
//
// Where the schema admits more than the grammar writes, the output is a valid subset:
// objects list declared properties in schema order and add no undeclared ones unless the
// schema has no `properties` at all (then any keys, values per additionalProperties).
import { ConstraintError, pointerSegment } from './errors.ts';
import { count, isObject, type Schema, unsupported } from './json-schema-util.ts';
import { alt, type Expr, type Grammar, GrammarBuilder, lit, ref } from './grammar.ts';
import { JsonPieces, type JsonGrammarOptions } from './json-pieces.ts';
import { boundedNumber, integerBounds, integerRange, type NumberBounds } from './json-numbers.ts';
import { objectExpr } from './json-schema-object.ts';
import { stringExpr } from './json-schema-string.ts';

const ANNOTATIONS = new Set([
  'title', 'description', 'default', 'examples', '$schema', '$id', '$comment', 'deprecated',
  'readOnly', 'writeOnly', '$defs', 'definitions',
]);
const BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  object: ['properties', 'required', 'additionalProperties'],
  array: ['items', 'prefixItems', 'minItems', 'maxItems'],
  string: ['minLength', 'maxLength', 'format', 'pattern'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'],
  integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'],
  boolean: [],
  null: [],
};
const GENERAL = ['type', 'enum', 'const', 'anyOf', 'oneOf', 'allOf', '$ref', 'nullable'];
const KNOWN = new Set([...GENERAL, ...Object.values(BY_TYPE).flat()]);

/** Grammar for JSON texts valid against `schema` (a parsed JSON Schema). */
export function compileJsonSchema(schema: unknown, opts: JsonGrammarOptions = {}): Grammar {
  const b = new GrammarBuilder();
  const c = new SchemaCompiler(b, new JsonPieces(b, opts), schema);
  b.define('root', c.compile(schema, ''));
  return b.build('root');
}

/** Grammar for any JSON object (response_format json_object). */
export function jsonObjectGrammar(opts: JsonGrammarOptions = {}): Grammar {
  const b = new GrammarBuilder();
  const j = new JsonPieces(b, opts);
  b.define('root', j.anyObject);
  return b.build('root');
}

export class SchemaCompiler {
  private readonly refRules = new Map<string, string>();

  constructor(readonly b: GrammarBuilder, readonly j: JsonPieces, private readonly rootSchema: unknown) {}

  compile(schema: unknown, path: string): Expr {
    if (schema === true) return this.j.value;
    if (schema === false) throw new ConstraintError(`schema at "${path || '/'}" is false: no value is valid`, { path });
    if (!isObject(schema)) throw new ConstraintError(`schema at "${path || '/'}" must be an object or a boolean`, { path });
    for (const k of Object.keys(schema)) {
      if (!KNOWN.has(k) && !ANNOTATIONS.has(k)) {
        throw new ConstraintError(`unsupported JSON Schema keyword "${k}" at "${path}/${pointerSegment(k)}"`, { keyword: k, path: `${path}/${pointerSegment(k)}` });
      }
    }
    const e = this.compileChecked(schema, path);
    return schema.nullable === true ? alt(e, lit('null')) : e;
  }

  private compileChecked(s: Schema, path: string): Expr {
    if (s.$ref !== undefined) return this.refExpr(s, path);
    if (s.allOf !== undefined) {
      const all = arrayOf(s.allOf, 'allOf', path);
      if (all.length !== 1 || hasOwnConstraints(s, 'allOf')) throw unsupported('allOf', path, 'only a single-member allOf is supported');
      return this.compile(all[0], `${path}/allOf/0`);
    }
    for (const k of ['anyOf', 'oneOf'] as const) {
      if (s[k] === undefined) continue;
      if (hasOwnConstraints(s, k)) throw unsupported(k, path, `${k} together with other constraints is not supported`);
      const options = arrayOf(s[k], k, path);
      if (options.length === 0) throw unsupported(k, path, `${k} must not be empty`);
      return alt(...options.map((o, i) => this.compile(o, `${path}/${k}/${i}`)));
    }
    if (s.const !== undefined) return this.literals([s.const], s, path);
    if (s.enum !== undefined) return this.literals(arrayOf(s.enum, 'enum', path), s, path);
    const types = this.types(s, path);
    return alt(...types.map((t) => this.typed(t, s, path)));
  }

  /** const / enum: each value written as compact JSON (other keywords are then redundant). */
  private literals(values: readonly unknown[], s: Schema, path: string): Expr {
    if (values.length === 0) throw unsupported('enum', path, 'enum must not be empty');
    const types = s.type === undefined ? undefined : this.types(s, path);
    const kept = values.filter((v) => types === undefined || types.includes(jsonType(v)) || (types.includes('number') && jsonType(v) === 'integer'));
    if (kept.length === 0) throw unsupported(s.const !== undefined ? 'const' : 'enum', path, 'no value matches the schema\'s type');
    return alt(...kept.map((v) => lit(JSON.stringify(v))));
  }

  private types(s: Schema, path: string): string[] {
    if (s.type === undefined) {
      const implied = Object.keys(BY_TYPE).filter((t) => t !== 'integer' && BY_TYPE[t].some((k) => s[k] !== undefined));
      return implied.length > 0 ? implied : ['any'];
    }
    const list = Array.isArray(s.type) ? s.type : [s.type];
    for (const t of list) {
      if (typeof t !== 'string' || !(t in BY_TYPE)) throw unsupported('type', path, `unknown type ${JSON.stringify(t)}`);
    }
    if (list.length === 0) throw unsupported('type', path, 'type must not be an empty list');
    return list as string[];
  }

  private typed(type: string, s: Schema, path: string): Expr {
    switch (type) {
      case 'any': return this.j.value;
      case 'null': return lit('null');
      case 'boolean': return alt(lit('true'), lit('false'));
      case 'string': return stringExpr(this.j, s, path);
      case 'integer': return this.integer(s, path);
      case 'number': return this.number(s, path);
      case 'array': return this.array(s, path);
      default: return objectExpr(this, s, path);
    }
  }

  private integer(s: Schema, path: string): Expr {
    const bounds = numberBounds(s, path);
    if (!bounds) return this.j.integer;
    const range = integerBounds(bounds);
    if (!range) throw unsupported('minimum', path, 'no integer lies within the bounds');
    return integerRange(range[0], range[1]);
  }

  private number(s: Schema, path: string): Expr {
    const bounds = numberBounds(s, path);
    if (!bounds) return this.j.number;
    const e = boundedNumber(bounds);
    if (!e) throw unsupported('minimum', path, 'no number lies within the bounds');
    return e;
  }

  private array(s: Schema, path: string): Expr {
    const min = count(s.minItems, 'minItems', path) ?? 0;
    const max = count(s.maxItems, 'maxItems', path) ?? Infinity;
    if (max < min) throw unsupported('maxItems', path, 'maxItems is below minItems');
    const prefix = s.prefixItems === undefined ? [] : arrayOf(s.prefixItems, 'prefixItems', path);
    const rest = s.items === undefined ? true : s.items;
    if (prefix.length === 0) return this.j.array(this.compile(rest, `${path}/items`), min, max);
    // A tuple: the prefix items in order, then `items` for the rest (none if items is false).
    const parts = prefix.map((p, i) => this.compile(p, `${path}/prefixItems/${i}`));
    const tail = rest === false ? null : this.compile(rest, `${path}/items`);
    if (tail === null && min > prefix.length) throw unsupported('minItems', path, 'minItems exceeds the tuple\'s length');
    return this.j.tuple(parts, tail, min, max);
  }

  /** $ref into this document; a named rule per target so recursive schemas work. */
  private refExpr(s: Schema, path: string): Expr {
    const target = s.$ref;
    if (typeof target !== 'string' || !target.startsWith('#')) throw unsupported('$ref', path, 'only references within the schema ("#/$defs/...") are supported');
    if (hasOwnConstraints(s, '$ref')) throw unsupported('$ref', path, '$ref together with other constraints is not supported');
    let rule = this.refRules.get(target);
    if (rule === undefined) {
      const pointer = decodeURIComponent(target.slice(1));
      const resolved = resolvePointer(this.rootSchema, pointer);
      if (resolved === undefined) throw unsupported('$ref', path, `cannot resolve ${JSON.stringify(target)}`);
      rule = this.b.reserve(`ref${pointer.replace(/[^a-zA-Z0-9]+/g, '-')}`);
      this.refRules.set(target, rule);
      this.b.define(rule, this.compile(resolved, pointer));
    }
    return ref(rule);
  }
}

function numberBounds(s: Schema, path: string): NumberBounds | null {
  const out: Record<string, number> = {};
  for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']) {
    const v = s[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw unsupported(k, path, `${k} must be a finite number (draft-4 boolean forms are not supported)`);
    out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : null;
}


function arrayOf(v: unknown, keyword: string, path: string): unknown[] {
  if (!Array.isArray(v)) throw unsupported(keyword, path, `${keyword} must be an array`);
  return v;
}

/** Keywords besides `except` that constrain the value (annotations and $defs do not). */
function hasOwnConstraints(s: Schema, except: string): boolean {
  return Object.keys(s).some((k) => k !== except && k !== 'nullable' && !ANNOTATIONS.has(k));
}

function resolvePointer(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  if (!pointer.startsWith('/')) return undefined;
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}
