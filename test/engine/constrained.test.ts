// Constrained decoding through the Engine on the software GPU with the tiny random-weight
// Qwen3 (real Qwen3 tokenizer, 151936 logits per row): a random model never writes JSON on
// its own, so output that parses and validates is the grammar's doing. Also: unconstrained
// requests sharing the batch get exactly the tokens they get alone, a grammar that is
// complete ends the choice without a stop token, max_tokens closes the output in time,
// and logprobs stay the raw model's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { compileGrammar, compileJsonSchema, jsonObjectGrammar, parseGbnf, type Grammar } from '../../src/constrain/index.ts';
import { Engine, type EngineOptions } from '../../src/engine/engine.ts';
import type { EngineOutput, EngineRequest, EngineUsage } from '../../src/engine/types.ts';
import { acquireDevice, type GpuDevice } from '../../src/gpu/device.ts';
import { openModelSource } from '../../src/loader/model-source.ts';
import { loadModel, type Model } from '../../src/model/index.ts';
import { samplingParams, type SamplingParamsInput } from '../../src/sample/params.ts';
import { validate } from '../constrain/validate.ts';
import { testModel } from '../helpers/test-models.ts';

let gpu: GpuDevice;
let model: Model;

before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
  const path = await testModel('tiny-qwen3');
  const opened = await openModelSource({ kind: 'hf-dir', path }, nodeFileHost);
  try {
    model = await loadModel(gpu, opened, { maxContext: 512, blockSize: 16 });
  } finally {
    await opened.close();
  }
});
after(() => {
  model?.destroy();
  gpu?.destroy();
});

interface Collected {
  ids: number[][];
  text: string[];
  finish: (string | undefined)[];
  usage: EngineUsage;
  outputs: EngineOutput[];
}

async function collect(engine: Engine, req: EngineRequest): Promise<Collected> {
  const h = engine.add(req);
  const n = req.n ?? 1;
  const c: Collected = { ids: [], text: [], finish: [], usage: undefined!, outputs: [] };
  for (let i = 0; i < n; i++) c.ids.push([]), c.text.push(''), c.finish.push(undefined);
  for await (const o of h) {
    c.outputs.push(o);
    c.ids[o.index].push(...o.ids);
    c.text[o.index] += o.text;
    if (o.finishReason) c.finish[o.index] = o.finishReason;
  }
  c.usage = await h.done;
  return c;
}

async function withEngine<T>(opts: EngineOptions, f: (e: Engine) => Promise<T>): Promise<T> {
  const e = new Engine(model, opts);
  try {
    return await f(e);
  } finally {
    await e.close();
  }
}

const encode = (t: string) => model.tokenizer.encode(t);
const sampling = (p: SamplingParamsInput) => samplingParams(p);
const constraint = (g: Grammar) => ({ grammar: compileGrammar(g) });

const NESTED = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 12 },
    age: { type: 'integer', minimum: 0, maximum: 150 },
    kind: { enum: ['cat', 'dog', 'fish'] },
    address: {
      type: 'object',
      properties: { city: { type: 'string' }, zip: { type: 'string', pattern: '^[0-9]{5}$' } },
      required: ['city', 'zip'],
      additionalProperties: false,
    },
    tags: { type: 'array', items: { type: 'string', maxLength: 6 }, maxItems: 3 },
    ok: { type: 'boolean' },
  },
  required: ['name', 'age', 'kind', 'address', 'tags', 'ok'],
  additionalProperties: false,
};

describe('Engine: constrained decoding', () => {
  it('json_object: every choice is one JSON object, even from random weights', async () => {
    await withEngine({ continuousBatching: 4 }, async (e) => {
      const c = await collect(e, { promptIds: encode('Reply in JSON.'), sampling: sampling({ temperature: 1, seed: 7 }), maxTokens: 40, n: 3, constraint: constraint(jsonObjectGrammar()) });
      for (let i = 0; i < 3; i++) {
        const v = JSON.parse(c.text[i]);
        assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), c.text[i]);
        assert.ok(c.finish[i] === 'stop' || c.finish[i] === 'length', c.finish[i]);
        assert.equal(c.ids[i].length <= 40, true);
      }
      assert.notDeepEqual(c.text[0], c.text[1], 'choices sample differently');
    });
  });

  it('a nested json_schema validates; greedy and sampled, with penalties and logit_bias pushing against it', async () => {
    await withEngine({ continuousBatching: 4 }, async (e) => {
      const grammar = compileGrammar(compileJsonSchema(NESTED));
      const settings: SamplingParamsInput[] = [
        { temperature: 0 },
        { temperature: 1, seed: 1 },
        { temperature: 0.7, top_p: 0.9, top_k: 50, seed: 2 },
        // A huge bias on '{' and a strong penalty cannot make the output invalid.
        { temperature: 1, seed: 3, repetition_penalty: 1.5, logit_bias: { [encode('{')[0]]: 100 } },
      ];
      const all = await Promise.all(settings.map((p) => collect(e, { promptIds: encode('A person:'), sampling: sampling(p), maxTokens: 80, constraint: { grammar } })));
      for (const c of all) {
        const v = JSON.parse(c.text[0]);
        assert.equal(validate(v, NESTED), null, c.text[0]);
      }
    });
  });

  it('unconstrained requests in the same batch get exactly the tokens they get alone', async () => {
    // Greedy and top-k sampling: the batched forward may sum in another order than a lone
    // row's (last-bit differences, with or without masks), which can flip a draw from the
    // whole flat 152k-token distribution of a random model, but not an argmax or a draw
    // among 20 tokens. test/gpu/kernels/sample-mask.case.ts checks bit-exactness row by row.
    const free: EngineRequest[] = ['Once upon a time', 'The quick brown fox', 'def main():', 'Hello'].map((p, i) => ({
      promptIds: encode(p), sampling: sampling(i % 2 ? { temperature: 0 } : { temperature: 0.9, top_k: 20, seed: 40 + i, logprobs: true, top_logprobs: 3 }), maxTokens: 8, ignoreEos: true,
    }));
    const alone = await withEngine({}, async (e) => {
      const out: Collected[] = [];
      for (const r of free) out.push(await collect(e, r));
      return out;
    });
    const grammar = compileGrammar(compileJsonSchema(NESTED));
    const mixed = await withEngine({ continuousBatching: 8 }, async (e) => {
      const constrained = [0, 1, 2, 3].map((i) => collect(e, { promptIds: encode(`JSON ${i}:`), sampling: sampling({ temperature: 1, seed: i }), maxTokens: 30, constraint: { grammar } }));
      const r = await Promise.all(free.map((q) => collect(e, q)));
      for (const c of await Promise.all(constrained)) assert.equal(validate(JSON.parse(c.text[0]), NESTED), null, c.text[0]);
      return r;
    });
    mixed.forEach((m, i) => {
      assert.deepEqual(m.ids[0], alone[i].ids[0], `request ${i}`);
      assert.equal(m.text[0], alone[i].text[0]);
      // Logprobs: the same tokens, values within rounding (a batch's forward may sum in
      // another order than a lone row's).
      const lp = (c: Collected) => c.outputs.flatMap((o) => o.logprobs ?? []);
      const [a, b] = [lp(m), lp(alone[i])];
      assert.equal(a.length, b.length);
      a.forEach((x, k) => {
        assert.deepEqual([x.id, x.top.map((t) => t.id)], [b[k].id, b[k].top.map((t) => t.id)], `request ${i} token ${k}`);
        assert.ok(Math.abs(x.logprob - b[k].logprob) < 1e-3, `request ${i} token ${k}: ${x.logprob} vs ${b[k].logprob}`);
      });
    });
  });

  it('a complete grammar ends the choice without a stop token; GBNF too', async () => {
    await withEngine({}, async (e) => {
      const yn = await collect(e, { promptIds: encode('Yes or no?'), sampling: sampling({ temperature: 1, seed: 5 }), maxTokens: 20, ignoreEos: true, constraint: constraint(parseGbnf('root ::= "yes" | "no"')) });
      assert.ok(yn.text[0] === 'yes' || yn.text[0] === 'no', yn.text[0]);
      assert.equal(yn.finish[0], 'stop');
      assert.equal(yn.usage.completionTokens, yn.ids[0].length, 'no stop token was sampled');
      const arith = await collect(e, {
        promptIds: encode('2+2='), sampling: sampling({ temperature: 1, seed: 9 }), maxTokens: 30,
        constraint: constraint(parseGbnf('root ::= expr\nexpr ::= term (("+" | "-") term)*\nterm ::= [0-9]{1,3} | "(" expr ")"')),
      });
      assert.match(arith.text[0], /^[0-9+\-()]+$/);
      assert.equal(typeof new Function(`return ${arith.text[0]}`)(), 'number', arith.text[0]);
    });
  });

  it('max_tokens closes the output in time: it parses, and finish_reason says the limit forced it', async () => {
    const schema = { type: 'object', properties: { text: { type: 'string' }, more: { type: 'array', items: { type: 'string' } } }, required: ['text', 'more'], additionalProperties: false };
    await withEngine({ continuousBatching: 4 }, async (e) => {
      const grammar = compileGrammar(compileJsonSchema(schema));
      for (const maxTokens of [12, 20, 33]) {
        const c = await collect(e, { promptIds: encode('Write:'), sampling: sampling({ temperature: 1, seed: maxTokens }), maxTokens, n: 2, constraint: { grammar } });
        for (let i = 0; i < 2; i++) {
          assert.equal(validate(JSON.parse(c.text[i]), schema), null, c.text[i]);
          assert.ok(c.ids[i].length <= maxTokens);
          // A random model never closes a free string by itself: the limit did.
          assert.equal(c.finish[i], 'length', c.text[i]);
        }
      }
    });
  });

  it('logprobs are the raw model\'s, before the mask', async () => {
    await withEngine({}, async (e) => {
      const req = { promptIds: encode('Answer:'), sampling: sampling({ temperature: 0, logprobs: true, top_logprobs: 5 }), maxTokens: 1, ignoreEos: true };
      const free = await collect(e, req);
      const yn = await collect(e, { ...req, constraint: constraint(parseGbnf('root ::= "yes" | "no"')) });
      const a = free.outputs[0].logprobs![0];
      const b = yn.outputs[0].logprobs![0];
      assert.deepEqual(b.top, a.top, 'the same raw top tokens, allowed or not');
      assert.ok(['yes', 'no', 'y', 'n', 'ye'].includes(model.tokenizer.decode([b.id])) || 'yes'.startsWith(model.tokenizer.decode([b.id])) || 'no'.startsWith(model.tokenizer.decode([b.id])));
      assert.ok(b.logprob < 0 && b.logprob >= a.top.at(-1)!.logprob - 1e9);
    });
  });
});
