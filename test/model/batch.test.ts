// Batched forward: one step mixing a prefill chunk of one sequence with a decode token of
// another (each with its own positions and block table) gives what each gives alone; a
// prompt prefilled whole, in chunks, or a token at a time gives the same logits. One
// architecture per case, each on a different weight type, so the GEMV (decode) and
// tiled GEMM (prefill) paths of f16 and block formats both run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { acquireDevice, type GpuDevice } from '../../src/gpu/device.ts';
import { GpuStep } from '../../src/gpu/step.ts';
import type { TinyModelName } from '../../src/loader/testing/tiny-models.ts';
import { openModelSource } from '../../src/loader/model-source.ts';
import { loadModel, submitStep, type Model } from '../../src/model/index.ts';
import { testModel } from '../helpers/test-models.ts';
import { PROMPT } from './prompt.ts';

const CASES: [TinyModelName, string][] = [['tiny-llama', 'Q4_K_M'], ['tiny-qwen2', 'f16'], ['tiny-qwen3', 'q8_0']];
/**
 * Max |Δlogit| (logits are a few units). Different kernels (GEMV vs GEMM, split-KV vs
 * tiled attention) sum in different orders, so K and V differ in the last f32 bits, and an
 * element that lands on the other side of an f16 rounding boundary in the 16-bit cache
 * moves logits by up to ~6e-4 (measured; the same size as against an exact f64 forward).
 */
const TOL = 1.5e-3;
// With 'f32' activations. The default 'q8' (and f16 rounding for f16 weights) rounds each
// linear layer's input to a step, so those last-bit differences can land an input on the
// other side of a step and move logits further (5.6e-3 measured, tiny-qwen2 f16); the
// rounding itself is per token row, so batching does not change what it computes.

let gpu: GpuDevice;
before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
});
after(() => gpu?.destroy());

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

const row = (m: Model, x: Float32Array, r: number) => x.subarray(r * m.vocabSize, (r + 1) * m.vocabSize);

for (const [name, type] of CASES) {
  describe(`${name} ${type}`, () => {
    let model: Model;
    let ids: number[];
    before(async () => {
      const path = await testModel(name, type);
      const opened = await openModelSource({ kind: 'gguf', path, paths: [path] }, nodeFileHost);
      try {
        model = await loadModel(gpu, opened, { maxContext: 128, activationQuant: 'f32' });
      } finally {
        await opened.close();
      }
      ids = model.tokenizer.encode(PROMPT);
    });
    after(() => model?.destroy());

    it('a mixed step (prefill chunk + decode token) equals each sequence alone', async () => {
      const a = ids.slice(0, 24); // prefilled in two chunks: 0..14, then 14..24 in the mixed step
      const b = ids.slice(10, 23); // 12 tokens prefilled, then one decode token in the mixed step
      const A = [4, 1], B = [6, 2]; // block tables: any blocks, in any order
      // Alone, each in a fresh cache.
      const alone = model.withKvCache({ kvBits: 16, blockSize: 16, numBlocks: 8 });
      let aLogits: Float32Array, bLogits: Float32Array;
      try {
        aLogits = await alone.logits({ tokens: a, seqs: [{ blockTable: A, numComputed: 0, numNew: a.length }] });
        await alone.logits({ tokens: b.slice(0, 12), seqs: [{ blockTable: B, numComputed: 0, numNew: 12 }] });
        bLogits = await alone.logits({ tokens: b.slice(12), seqs: [{ blockTable: B, numComputed: 12, numNew: 1 }] });
      } finally {
        alone.destroy();
      }
      // Together: step 1 prefills A's first chunk and all of B's prompt; step 2 mixes A's
      // second chunk with B's decode token and a third sequence's decode, in one submit.
      await model.logits({ tokens: [...a.slice(0, 14), ...b.slice(0, 12)], seqs: [{ blockTable: A, numComputed: 0, numNew: 14 }, { blockTable: B, numComputed: 0, numNew: 12 }] });
      const mixed = await model.logits({
        tokens: [...b.slice(12), ...a.slice(14)],
        seqs: [{ blockTable: B, numComputed: 12, numNew: 1 }, { blockTable: A, numComputed: 14, numNew: 10 }],
      });
      gpu.assertNoErrors('mixed batch');
      assert.ok(maxDiff(row(model, mixed, 0), bLogits) < TOL, `decode row differs by ${maxDiff(row(model, mixed, 0), bLogits)}`);
      assert.ok(maxDiff(row(model, mixed, 1), aLogits) < TOL, `prefill-chunk row differs by ${maxDiff(row(model, mixed, 1), aLogits)}`);
    });

    it('whole prefill, chunked prefill and token-at-a-time decode agree at every position', async () => {
      const n = 20;
      const prompt = ids.slice(0, n);
      const table = [0, 1];
      const whole = await model.logits({ tokens: prompt, seqs: [{ blockTable: table, numComputed: 0, numNew: n }] }, { allLogits: true });
      const chunked = new Float32Array(whole.length);
      for (const [s, e] of [[0, 7], [7, 16], [16, 20]]) {
        const out = await model.logits({ tokens: prompt.slice(s, e), seqs: [{ blockTable: table, numComputed: s, numNew: e - s }] }, { allLogits: true });
        chunked.set(out, s * model.vocabSize);
      }
      const single = new Float32Array(whole.length);
      for (let p = 0; p < n; p++) single.set(await model.logits({ tokens: [prompt[p]], seqs: [{ blockTable: table, numComputed: p, numNew: 1 }] }), p * model.vocabSize);
      assert.ok(maxDiff(whole, chunked) < TOL, `chunked prefill differs by ${maxDiff(whole, chunked)}`);
      assert.ok(maxDiff(whole, single) < TOL, `decode steps differ by ${maxDiff(whole, single)}`);
    });

    it('forward() records into the caller\'s step: one submit, logits left on the GPU', async () => {
      const step = new GpuStep(gpu);
      const out = model.forward(step, { tokens: ids.slice(0, 3), seqs: [{ blockTable: [0], numComputed: 0, numNew: 3 }] });
      assert.deepEqual(out.logits.shape, [1, model.vocabSize]);
      assert.ok(step.numDispatches > 10);
      await submitStep(gpu, step);
      out.release();
    });

    it('rejects batches the cache or vocabulary cannot take', () => {
      const step = new GpuStep(gpu);
      const fwd = (tokens: number[], seqs: { blockTable: number[]; numComputed: number; numNew: number }[]) => () => model.forward(step, { tokens, seqs });
      assert.throws(fwd([1, 2], [{ blockTable: [0], numComputed: 0, numNew: 3 }]), /2 tokens for sequences adding 3/);
      assert.throws(fwd([model.vocabSize], [{ blockTable: [0], numComputed: 0, numNew: 1 }]), /outside the vocabulary/);
      assert.throws(fwd([1], [{ blockTable: [999], numComputed: 0, numNew: 1 }]), /the cache has 8 blocks/);
      assert.throws(fwd([1], [{ blockTable: [0], numComputed: 16, numNew: 1 }]), /needs 2 blocks/);
      assert.equal(step.numDispatches, 0);
    });
  });
}
