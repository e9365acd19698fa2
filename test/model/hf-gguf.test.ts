// An HF directory and the F32 GGUF converted from it are the same model: same tokens,
// same logits. For Llama the two differ in layout (the GGUF's q/k rows are permuted for
// GGML's interleaved rope; the directory keeps NeoX order) and in storage (bf16
// safetensors read by the bf16 kernel vs f32 in the GGUF), so this also checks both rope
// layouts and the bf16 path.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { acquireDevice, type GpuDevice } from '../../src/gpu/device.ts';
import { openModelSource, type ModelSource } from '../../src/loader/model-source.ts';
import { loadModel, type Model } from '../../src/model/index.ts';
import { testModel, TINY_MODEL_NAMES } from '../helpers/test-models.ts';
import { PROMPT } from './prompt.ts';

/** Max |Δlogit| (logits are a few units): measured 0 for Qwen, 7e-6 for Llama (its rope layouts differ). */
const TOL = 1e-4;

let gpu: GpuDevice;
before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
});
after(() => gpu?.destroy());

async function load(source: ModelSource): Promise<Model> {
  const opened = await openModelSource(source, nodeFileHost);
  try {
    return await loadModel(gpu, opened, { maxContext: 64 });
  } finally {
    await opened.close();
  }
}

for (const name of TINY_MODEL_NAMES) {
  it(`${name}: HF directory and its F32 GGUF give the same tokens and logits`, async () => {
    const dir = await testModel(name);
    const file = await testModel(name, 'f32');
    const hf = await load({ kind: 'hf-dir', path: dir });
    const gguf = await load({ kind: 'gguf', path: file, paths: [file] });
    try {
      assert.equal(hf.llama.rope.neox, true);
      assert.equal(gguf.llama.rope.neox, name !== 'tiny-llama');
      const ids = hf.tokenizer.encode(PROMPT);
      assert.deepEqual(gguf.tokenizer.encode(PROMPT), ids);
      const batch = { tokens: ids, seqs: [{ blockTable: [0, 1, 2, 3], numComputed: 0, numNew: ids.length }] };
      const a = await hf.logits(batch, { allLogits: true });
      const b = await gguf.logits(batch, { allLogits: true });
      gpu.assertNoErrors(name);
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      console.log(`# ${name}: HF dir vs F32 GGUF, ${ids.length} positions: max |Δlogit| ${d.toExponential(2)}`);
      assert.ok(d < TOL, `max |Δlogit| ${d}`);
    } finally {
      hf.destroy();
      gguf.destroy();
    }
  });
}
