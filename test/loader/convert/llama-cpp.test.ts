// llama.cpp (node-llama-cpp's CPU build) loads what `basert convert` and `basert quantize`
// write: each file is loaded once, tokenizes the corpus exactly as our tokenizer built from
// the same file does, and gives a finite next-token distribution close to the unquantized
// file's. The default matrix covers every architecture and output type; set
// BASERT_LLAMA_MATRIX=full to load every architecture × type (27 files, a few minutes).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openFileSource } from '../../../runtimes/node/file-source.ts';
import { readGguf } from '../../../src/loader/gguf/index.ts';
import { tokenizerFromGguf, type Tokenizer } from '../../../src/text/index.ts';
import { llamaRef } from '../../helpers/llama-ref.ts';
import { testModel, TINY_MODEL_NAMES } from '../../helpers/test-models.ts';
import type { TinyModelName } from '../../../src/loader/testing/tiny-models.ts';
import { corpus } from '../../text/corpus.ts';

// The first type of each model is its reference distribution; [type, max total variation].
const FAST: Record<TinyModelName, [string, number][]> = {
  'tiny-llama': [['f16', 0], ['Q4_K_M', 0.3]],
  'tiny-qwen2': [['q8_0', 0], ['Q4_0', 0.3]],
  'tiny-qwen3': [['bf16', 0], ['Q6_K', 0.05]],
};
const ALL: [string, number][] = [['f32', 0], ['f16', 0.01], ['bf16', 0.03], ['q8_0', 0.03], ['Q8_0', 0.03], ['Q6_K', 0.05], ['Q4_K_M', 0.3], ['Q4_K_S', 0.3], ['Q4_0', 0.3]];
const matrix = process.env.BASERT_LLAMA_MATRIX === 'full' ? Object.fromEntries(TINY_MODEL_NAMES.map((n) => [n, ALL])) as typeof FAST : FAST;

const tokenizers = new Map<string, Tokenizer>();
const references = new Map<string, Map<number, number>>();
const accepted: string[] = [];
after(() => console.log(`# llama.cpp accepted: ${accepted.join(', ')}`));

function totalVariation(p: Map<number, number>, q: Map<number, number>): number {
  let d = 0;
  for (const [id, v] of p) d += Math.abs(v - (q.get(id) ?? 0));
  for (const [id, v] of q) if (!p.has(id)) d += v;
  return d / 2;
}

// Models in parallel (the machine has 2 cores; loads are mostly native work), each
// model's files in order: the first is the reference for the others.
describe('llama.cpp loads our GGUF files: same tokens, finite next-token probabilities', { concurrency: true }, () => {
  for (const name of TINY_MODEL_NAMES) {
    it(name, async (t) => {
      for (const [type, maxTv] of matrix[name]) await t.test(type, () => check(name, type, maxTv));
    });
  }
});

async function check(name: TinyModelName, type: string, maxTv: number): Promise<void> {
  const path = await testModel(name, type);
  const src = await openFileSource(path);
  const gguf = await readGguf(src).finally(() => src.close());
  // Tokenizer metadata is the same in every variant of a model: build ours once.
  let ours = tokenizers.get(name);
  if (!ours) tokenizers.set(name, (ours = tokenizerFromGguf(gguf.metadata)));
  const model = await (await llamaRef()).loadModel({ modelPath: path });
  try {
    for (const [label, text] of Object.entries(corpus)) assert.deepEqual(model.tokenize(text, true), ours.encode(text, { addSpecialTokens: false }), label);
    assert.equal(model.tokens.bos, ours.special.bos);
    assert.equal(model.tokens.eos, ours.special.eos);
    const prompt = ours.encode('The quick brown fox jumps over the lazy');
    const ctx = await model.createContext({ contextSize: 64, batchSize: 64, threads: 2 });
    try {
      const out = await ctx.getSequence().controlledEvaluate([...prompt.slice(0, -1), [prompt.at(-1)!, { generateNext: { probabilities: true } }]]);
      const probs = out.at(-1)!.next!.probabilities!;
      assert.equal(probs.size, gguf.tensors.find((t) => t.name === 'token_embd.weight')!.dims[1]);
      let sum = 0;
      for (const p of probs.values()) {
        assert.ok(Number.isFinite(p) && p >= 0);
        sum += p;
      }
      assert.ok(Math.abs(sum - 1) < 1e-3, `probabilities sum to ${sum}`);
      const ref = references.get(name);
      if (!ref) references.set(name, probs);
      else {
        const tv = totalVariation(ref, probs);
        assert.ok(tv <= maxTv, `total variation from ${matrix[name][0][0]}: ${tv.toFixed(4)} > ${maxTv}`);
        console.log(`# ${name} ${type}: total variation from ${matrix[name][0][0]} ${tv.toFixed(4)}`);
      }
    } finally {
      await ctx.dispose();
    }
    accepted.push(`${name} ${type}`);
  } finally {
    await model.dispose();
  }
}
