// Token tables stay in their file format on the GPU: one tensor when the embeddings are
// tied (it is also the LM head), and a gathered row equals the row dequantized on the CPU
// (the loader's codecs, which round as ggml's get_rows does), bit for bit.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { acquireDevice, type GpuDevice } from '../../src/gpu/device.ts';
import { embedding } from '../../src/gpu/kernels/embedding.ts';
import { GpuStep } from '../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../src/gpu/tensor.ts';
import { readTensorF32 } from '../../src/loader/gguf/index.ts';
import { openModelSource } from '../../src/loader/model-source.ts';
import { ggmlTypeName } from '../../src/loader/quant/index.ts';
import { loadModel, planModel } from '../../src/model/index.ts';
import type { TinyModelName } from '../../src/loader/testing/tiny-models.ts';
import { testModel } from '../helpers/test-models.ts';

let gpu: GpuDevice;
before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
});
after(() => gpu?.destroy());

const cases: [TinyModelName, string, boolean][] = [
  ['tiny-qwen3', 'Q4_K_M', true], // tied: token_embd is the LM head (q8_0: 64-wide rows)
  ['tiny-qwen2', 'Q4_0', true],
  ['tiny-llama', 'Q4_0', false], // untied: token_embd q4_0, output q6_k
];

for (const [name, type, tied] of cases) {
  it(`${name} ${type}: the token table as stored${tied ? ', once' : ''}; rows gathered exactly`, async () => {
    const path = await testModel(name, type);
    const opened = await openModelSource({ kind: 'gguf', path, paths: [path] }, nodeFileHost);
    const gguf = opened.kind === 'gguf' ? opened.gguf : assert.fail('not a GGUF');
    const model = await loadModel(gpu, opened, { maxContext: 16 });
    try {
      const info = gguf.tensors.find((t) => t.name === 'token_embd.weight')!;
      const stored = ggmlTypeName(info.type).toLowerCase();
      assert.notEqual(stored, 'f32');
      const plan = planModel(gpu, opened, { maxContext: 16 }).weights.weights;
      const embd = plan.find((w) => w.name === 'token_embd.weight')!;
      const out = plan.find((w) => w.name === 'output.weight')!;
      assert.equal(embd.dtype, stored);
      const { tokenEmbd, output } = model.llama.weights;
      assert.equal(tokenEmbd.dtype, stored);
      if (tied) {
        assert.equal(out.sameAs, 'token_embd.weight');
        assert.equal(out.bytes, 0);
        assert.equal(output, tokenEmbd, 'one tensor serves the gather and the LM head');
      } else {
        assert.equal(out.sameAs, undefined);
        assert.notEqual(output, tokenEmbd);
      }

      const D = model.config.hiddenSize;
      const ids = Uint32Array.from([0, 1, 7, 1000, model.vocabSize - 1, 1000]);
      const tids = createTensor(gpu, [ids.length], 'u32', ids);
      const rows = createTensor(gpu, [ids.length, D], 'f32');
      const step = new GpuStep(gpu);
      embedding(step, tokenEmbd, tids, rows);
      await step.submit();
      const got = new Float32Array(await readTensor(gpu, rows));
      [tids, rows].forEach((t) => t.destroy());
      const table = await readTensorF32(gguf, info);
      // ±0 aside (the CPU codec adds a zero min where ggml does not), bit for bit.
      ids.forEach((id, t) => {
        for (let i = 0; i < D; i++) assert.ok(got[t * D + i] === table[id * D + i], `token ${id} element ${i}: ${got[t * D + i]} != ${table[id * D + i]}`);
      });
    } finally {
      model.destroy();
      await opened.close();
    }
  });
}
