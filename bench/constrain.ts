// bench/constrain: CPU cost of constrained decoding per generated token with the real
// Qwen3 vocabulary (151,936 mask bits): fillMask + accept along random walks that sample
// any allowed token, for json_object, a nested JSON Schema and a GBNF grammar. "fresh"
// compiles the grammar for every walk (a server with no grammar cache: all caches cold);
// "shared" reuses one compiled grammar (repeated schema). Compared with the decode step
// times in bench/results/decode-*.json when present. Writes
// bench/results/constrain-<host>.json. A benchmark, never a test.
//
//   node --import tsx bench/constrain.ts [--quick]
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileGrammar, compileJsonSchema, GrammarMatcher, jsonObjectGrammar, parseGbnf, TokenVocab, tokenBytesOf, type Grammar } from '../src/constrain/index.ts';
import { qwen3Vocab, QWEN3_ROWS, randomWalk } from '../test/constrain/helpers.ts';
import { rng } from '../test/helpers/random.ts';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const quick = process.argv.includes('--quick');
const WALKS = quick ? 8 : 40;

const NESTED_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    age: { type: 'integer', minimum: 0, maximum: 150 },
    email: { type: 'string', format: 'email' },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 4 },
    address: {
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' }, zip: { type: ['string', 'null'] } },
      required: ['street', 'city'], additionalProperties: false,
    },
    orders: {
      type: 'array', maxItems: 3,
      items: { type: 'object', properties: { id: { type: 'string', format: 'uuid' }, total: { type: 'number' }, status: { enum: ['open', 'paid', 'shipped'] } }, required: ['id', 'total', 'status'], additionalProperties: false },
    },
  },
  required: ['name', 'age', 'address', 'orders'],
  additionalProperties: false,
};

const ARITH = 'root ::= expr\nexpr ::= term ([-+] term)*\nterm ::= factor ([*/] factor)*\nfactor ::= [0-9]{1,3} | "(" expr ")"';

interface Stats { steps: number; meanMs: number; p50Ms: number; p95Ms: number; maxMs: number }

function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { steps: s.length, meanMs: s.reduce((a, b) => a + b, 0) / s.length, p50Ms: at(0.5), p95Ms: at(0.95), maxMs: s[s.length - 1] };
}

function walks(make: () => Grammar, vocab: TokenVocab, shared: boolean, seed0: number) {
  const steps: number[] = [];
  const compileMs: number[] = [];
  let tokens = 0;
  let compiled = shared ? compileGrammar(make()) : undefined;
  for (let w = 0; w < WALKS; w++) {
    if (!shared) {
      const t0 = performance.now();
      compiled = compileGrammar(make());
      compileMs.push(performance.now() - t0);
    }
    const walk = randomWalk(new GrammarMatcher(compiled!, vocab), vocab, rng(seed0 + w));
    if (!walk.terminated) throw new Error('walk did not terminate');
    steps.push(...walk.stepMs);
    tokens += walk.ids.length;
  }
  return { ...stats(steps), meanTokensPerWalk: tokens / WALKS, ...(shared ? {} : { compileMs: stats(compileMs).meanMs }) };
}

/** Decode step times measured by bench/decode.ts on this machine, if it has run. */
function decodeSteps(): { file: string; model: string; type: string; stepMs: number }[] {
  if (!existsSync(RESULTS)) return [];
  return readdirSync(RESULTS).filter((f) => f.startsWith('decode-') && f.endsWith('.json')).flatMap((file) => {
    const r = JSON.parse(readFileSync(join(RESULTS, file), 'utf8'));
    return (r.rows ?? []).filter((row: any) => row.decodeTokPerS > 0)
      .map((row: any) => ({ file, model: row.model, type: row.type, stepMs: 1000 / row.decodeTokPerS }));
  });
}

const { tokenizer } = await qwen3Vocab();
const t0 = performance.now();
const vocab = new TokenVocab({ size: QWEN3_ROWS, tokenContent: tokenBytesOf(tokenizer), stopIds: tokenizer.special.stop });
const vocabBuildMs = performance.now() - t0;

const grammars: [string, () => Grammar][] = [
  ['json_object', () => jsonObjectGrammar()],
  ['nested-schema', () => compileJsonSchema(NESTED_SCHEMA)],
  ['gbnf-arithmetic', () => parseGbnf(ARITH)],
];
const rows = grammars.map(([name, make], i) => {
  const row = { grammar: name, fresh: walks(make, vocab, false, 1000 * i), shared: walks(make, vocab, true, 1000 * i + 500) };
  console.log(`${name.padEnd(16)} fresh: mean ${row.fresh.meanMs.toFixed(3)} ms p95 ${row.fresh.p95Ms.toFixed(3)} ms (compile ${row.fresh.compileMs!.toFixed(1)} ms)` +
    `  shared: mean ${row.shared.meanMs.toFixed(3)} ms p95 ${row.shared.p95Ms.toFixed(3)} ms  ~${row.shared.meanTokensPerWalk.toFixed(0)} tokens/walk`);
  return row;
});

const decode = decodeSteps();
const worstMean = Math.max(...rows.map((r) => r.fresh.meanMs));
const overhead = decode.map((d) => ({ ...d, worstMeanMaskMs: worstMean, overheadFraction: worstMean / d.stepMs }));
for (const o of overhead) console.log(`vs decode ${o.model} ${o.type}: ${o.stepMs.toFixed(1)} ms/step -> overhead ${(100 * o.overheadFraction).toFixed(2)}% per constrained sequence`);

const host = hostname().replace(/[^A-Za-z0-9_.-]+/g, '-');
mkdirSync(RESULTS, { recursive: true });
const out = join(RESULTS, `constrain-${host}.json`);
writeFileSync(out, JSON.stringify({
  benchmark: 'constrain', date: new Date().toISOString(), runtime: `node ${process.version}`, host, quick,
  vocab: { tokenizer: 'qwen3', maskBits: vocab.size, tokens: vocab.tokens.length, trieNodes: vocab.numNodes, buildMs: vocabBuildMs },
  walksPerGrammar: WALKS,
  note: 'per generated token: fillMask + accept, ms; fresh = grammar compiled per request, shared = compiled grammar reused',
  rows, overheadVsDecode: overhead,
}, null, 2) + '\n');
console.log(`wrote ${out}`);
