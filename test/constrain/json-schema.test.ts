import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileJsonSchema, ConstraintError, jsonObjectGrammar, matchesGrammar, type Grammar } from '../../src/constrain/index.ts';

/** Table: schema, texts the grammar must accept, texts it must refuse. */
const CASES: Record<string, { schema: unknown; yes: string[]; no: string[] }> = {
  'object with required, optional and additionalProperties:false': {
    schema: { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'string' }, c: { type: 'boolean' } }, required: ['a', 'c'], additionalProperties: false },
    yes: ['{"a":1,"c":true}', '{"a": -3, "b": "x", "c": false}', '{"a":0,"b":"","c":true}'],
    no: ['{"c":true}', '{"a":1}', '{"a":1,"c":true,"d":1}', '{"c":true,"a":1}', '{"a":1.5,"c":true}', '{ "a":1,"c":true}', '{"a":1,"c":true} '],
  },
  'all optional properties': {
    schema: { type: 'object', properties: { x: { type: 'null' }, y: { type: 'number' } }, additionalProperties: false },
    yes: ['{}', '{"x":null}', '{"y":2.5e-3}', '{"x":null,"y":-0.5}'],
    no: ['{,"y":1}', '{"x":null,}', '{"y":1,"x":null}'],
  },
  'enum and const': {
    schema: { type: 'object', properties: { k: { enum: ['a', 'b"c', 3, null] }, v: { const: { z: [1, true] } } }, required: ['k', 'v'] },
    yes: ['{"k":"a","v":{"z":[1,true]}}', '{"k":"b\\"c","v":{"z":[1,true]}}', '{"k":3,"v":{"z":[1,true]}}', '{"k":null,"v":{"z":[1,true]}}'],
    no: ['{"k":"c","v":{"z":[1,true]}}', '{"k":"a","v":{"z":[1]}}'],
  },
  'arrays with bounds and nested items': {
    schema: { type: 'array', items: { type: 'array', items: { type: 'integer' }, maxItems: 2 }, minItems: 1, maxItems: 3 },
    yes: ['[[]]', '[[1,2],[3]]', '[[], [], [1, 2]]'],
    no: ['[]', '[[1,2,3]]', '[[],[],[],[]]', '[["x"]]'],
  },
  'tuple via prefixItems': {
    schema: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false },
    yes: ['[]', '["a"]', '["a",1]'],
    no: ['[1]', '["a",1,2]'],
  },
  'type union and nullable anyOf': {
    schema: { type: 'object', properties: { u: { type: ['string', 'null'] }, w: { anyOf: [{ type: 'integer' }, { type: 'array', items: { type: 'boolean' } }] } }, required: ['u', 'w'], additionalProperties: false },
    yes: ['{"u":null,"w":1}', '{"u":"s","w":[true,false]}'],
    no: ['{"u":1,"w":1}', '{"u":null,"w":"x"}'],
  },
  'string lengths count characters': {
    schema: { type: 'string', minLength: 2, maxLength: 3 },
    yes: ['"ab"', '"a\\nb"', '"éé"', '"😀😀😀"'],
    no: ['"a"', '"abcd"', '"\\n"'],
  },
  'formats': {
    schema: { type: 'array', prefixItems: [{ format: 'date' }, { format: 'date-time' }, { format: 'time' }, { format: 'uuid' }, { format: 'email' }], items: false, minItems: 5 },
    yes: ['["2024-02-29","2024-01-31T23:59:59Z","12:00:00.5+02:00","123e4567-e89b-12d3-a456-426614174000","a.b@example.co.uk"]'],
    no: ['["2024-13-01","2024-01-31T23:59:59Z","12:00:00Z","123e4567-e89b-12d3-a456-426614174000","a@b.co"]',
      '["2024-01-01","2024-01-31 23:59:59Z","12:00:00Z","123e4567-e89b-12d3-a456-426614174000","a@b.co"]',
      '["2024-01-01","2024-01-31T23:59:59Z","12:00:00Z","123e4567e89b12d3a456426614174000","a@b.co"]',
      '["2024-01-01","2024-01-31T23:59:59Z","12:00:00Z","123e4567-e89b-12d3-a456-426614174000","ab.co"]'],
  },
  'integer bounds': {
    schema: { type: 'array', prefixItems: [{ type: 'integer', minimum: -5, maximum: 120 }, { type: 'integer', exclusiveMinimum: 0 }], items: false },
    yes: ['[-5]', '[0]', '[120]', '[99,1]', '[7,123456]'],
    no: ['[-6]', '[121]', '[1000]', '[1,0]', '[1,-3]', '[-0]'],
  },
  'number bounds': {
    schema: { type: 'array', items: { type: 'number', minimum: -1.5, exclusiveMaximum: 2 } },
    yes: ['[-1,0,1,1.999,0.5,-0.25]'],
    no: ['[2]', '[2.5]', '[-2]', '[1e3]'],
  },
  'pattern (regex subset), escapes written as JSON escapes': {
    schema: { type: 'array', prefixItems: [{ type: 'string', pattern: '^[A-Z]{2}-\\d{3}$' }, { type: 'string', pattern: 'ab+' }, { type: 'string', pattern: '^(?:"|x)$' }], items: false },
    yes: ['["AB-123","xxabbby","\\""]', '["ZZ-000","ab","x"]'],
    no: ['["AB-12","ab","x"]', '["AB-123","a","x"]', '["AB-123","ab","y"]'],
  },
  '$ref to $defs, recursive': {
    schema: { $defs: { node: { type: 'object', properties: { v: { type: 'integer' }, kids: { type: 'array', items: { $ref: '#/$defs/node' } } }, required: ['v', 'kids'], additionalProperties: false } }, $ref: '#/$defs/node' },
    yes: ['{"v":1,"kids":[]}', '{"v":1,"kids":[{"v":2,"kids":[{"v":3,"kids":[]}]}]}'],
    no: ['{"v":1}', '{"v":1,"kids":[{"v":2}]}'],
  },
  'no properties: any object, or a map': {
    schema: { type: 'object', properties: { any: { type: 'object' }, map: { type: 'object', additionalProperties: { type: 'integer' } }, none: { type: 'object', additionalProperties: false } }, required: ['any', 'map', 'none'] },
    yes: ['{"any":{"x":[1,{"y":null}]},"map":{"a":1,"b":2},"none":{}}'],
    no: ['{"any":{},"map":{"a":"1"},"none":{}}', '{"any":{},"map":{},"none":{"a":1}}'],
  },
  'a property whose schema is false is never written': {
    schema: { type: 'object', properties: { a: { type: 'integer' }, secret: false } },
    yes: ['{}', '{"a":1}'],
    no: ['{"secret":1}', '{"a":1,"secret":null}'],
  },
  'true schema and empty schema accept any value': {
    schema: { type: 'array', prefixItems: [true, {}], items: false },
    yes: ['[1,"x"]', '[{"a":[]},null]'],
    no: ['[1,2,3]'],
  },
};

for (const [name, c] of Object.entries(CASES)) {
  test(`json schema: ${name}`, () => {
    const g = compileJsonSchema(c.schema);
    for (const t of c.yes) assert.ok(matchesGrammar(g, t), `should accept ${t}`);
    for (const t of c.no) assert.ok(!matchesGrammar(g, t), `should refuse ${t}`);
  });
}

test('json schema: the schema zod + openai zodResponseFormat writes compiles', () => {
  // As printed by openai@7's zodResponseFormat for a zod v4 object (abridged).
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#', type: 'object',
    properties: {
      age: { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 },
      when: { anyOf: [{ type: 'string', format: 'date-time', pattern: '^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))T(?:(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z))$' }, { type: 'null' }] },
    },
    required: ['age', 'when'], additionalProperties: false,
  };
  const g = compileJsonSchema(schema);
  assert.ok(matchesGrammar(g, '{"age":9007199254740991,"when":"2024-02-29T10:00:00Z"}'));
  assert.ok(matchesGrammar(g, '{"age":-12,"when":null}'));
  assert.ok(!matchesGrammar(g, '{"age":9007199254740992,"when":null}'));
  // The pattern rules out what the format alone would allow: offsets and Feb 29 of 2023.
  assert.ok(!matchesGrammar(g, '{"age":1,"when":"2024-02-28T10:00:00+01:00"}'));
  assert.ok(!matchesGrammar(g, '{"age":1,"when":"2023-02-29T10:00:00Z"}'));
});

test('json_object grammar: any object, nothing else', () => {
  const g: Grammar = jsonObjectGrammar();
  for (const t of ['{}', '{"a":[1,-2.5e+10,{"b":null}],"c":"\\u00e9\\n","d":true}', '{"é😀":"\u2028"}']) assert.ok(matchesGrammar(g, t), t);
  for (const t of ['[]', '"x"', '{"a":01}', '{"a":"\u0001"}', '{"a":1,}', ' {}', '{}{}', '{"a":tru}']) assert.ok(!matchesGrammar(g, t), t);
});

test('whitespace: compact by default, bounded in flexible mode', () => {
  const schema = { type: 'object', properties: { a: { type: 'array', items: { type: 'integer' } } }, required: ['a'] };
  const compact = compileJsonSchema(schema);
  assert.ok(matchesGrammar(compact, '{"a": [1, 2]}'));
  assert.ok(!matchesGrammar(compact, '{"a":  [1]}'));
  assert.ok(!matchesGrammar(compact, '{"a":[1]\n}'));
  const flexible = compileJsonSchema(schema, { whitespace: 'flexible' });
  assert.ok(matchesGrammar(flexible, '{\n  "a": [\n    1,\n    2\n  ]\n}'));
  assert.ok(!matchesGrammar(flexible, `{"a":[1${' '.repeat(30)}]}`));
  assert.ok(!matchesGrammar(flexible, '{"a":\n\n[1]}'));
});

test('unsupported keywords throw ConstraintError with the keyword and a JSON pointer', () => {
  const cases: [unknown, string, string][] = [
    [{ type: 'object', properties: { n: { type: 'number', multipleOf: 3 } } }, 'multipleOf', '/properties/n/multipleOf'],
    [{ type: 'array', items: { type: 'string', format: 'hostname' } }, 'format', '/items/format'],
    [{ type: 'object', patternProperties: { '^x': {} } }, 'patternProperties', '/patternProperties'],
    [{ $defs: { a: { type: 'string', pattern: '(a)\\1' } }, $ref: '#/$defs/a' }, 'pattern', '/$defs/a/pattern'],
    [{ type: 'array', uniqueItems: true }, 'uniqueItems', '/uniqueItems'],
    [{ type: 'object', properties: { 'a/b': { not: {} } } }, 'not', '/properties/a~1b/not'],
    [{ type: 'strange' }, 'type', '/type'],
    [{ $ref: 'http://example.com/s.json' }, '$ref', '/$ref'],
    [{ type: 'integer', minimum: 5, maximum: 4 }, 'minimum', '/minimum'],
  ];
  for (const [schema, keyword, path] of cases) {
    assert.throws(() => compileJsonSchema(schema), (e: unknown) => {
      assert.ok(e instanceof ConstraintError, String(e));
      assert.equal(e.keyword, keyword, e.message);
      assert.equal(e.path, path, e.message);
      return true;
    });
  }
});
