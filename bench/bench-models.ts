// Random-weight Qwen3-shaped models for bench/decode, built like the tiny test models
// (src/loader/testing/tiny-models.ts: real Qwen3 tokenizer, seeded weights) but at
// benchmark sizes, written once into .cache/bench-models/: an HF directory (BF16), then
// GGUF files through our own converter (F16, Q8_0) and quantizer (Q4_0 from the F16 file).
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeFileHost } from '../runtimes/node/file-host.ts';
import { lenmlTokenizer } from '../runtimes/node/tiny-models.ts';
import { planHfToGguf } from '../src/loader/convert/index.ts';
import { ggufChunks, readGguf } from '../src/loader/gguf/index.ts';
import { openHfModelDir } from '../src/loader/hf/index.ts';
import { planQuantize } from '../src/loader/quantize.ts';
import { tinyModelFiles, type TinyModelSpec } from '../src/loader/testing/tiny-models.ts';

/** Qwen3 layouts: hidden, layers, heads / kv heads of 128 (64 for the small one), FFN; tied embeddings. */
export const BENCH_SIZES = {
  // 78M embedding + 8 x 3.1M = ~103M parameters
  '100m': { hidden_size: 512, num_hidden_layers: 8, num_attention_heads: 8, num_key_value_heads: 4, head_dim: 64, intermediate_size: 1536 },
  // Qwen3-0.6B's layer shape with 22 of its 28 layers: 156M embedding + 22 x 15.7M = ~501M
  '500m': { hidden_size: 1024, num_hidden_layers: 22, num_attention_heads: 16, num_key_value_heads: 8, head_dim: 128, intermediate_size: 3072 },
} as const;
export type BenchSize = keyof typeof BENCH_SIZES;

function spec(size: BenchSize): TinyModelSpec {
  return {
    name: `bench-qwen3-${size}` as TinyModelSpec['name'],
    tokenizer: 'qwen3',
    dtype: 'BF16',
    seed: 100 + Object.keys(BENCH_SIZES).indexOf(size),
    config: {
      architectures: ['Qwen3ForCausalLM'], model_type: 'qwen3', vocab_size: 151936, max_position_embeddings: 40960,
      rms_norm_eps: 1e-6, rope_theta: 1000000, tie_word_embeddings: true, torch_dtype: 'bfloat16',
      bos_token_id: 151643, eos_token_id: 151645, hidden_act: 'silu', attention_bias: false, ...BENCH_SIZES[size],
    },
    generationConfig: { eos_token_id: [151645, 151643] },
  };
}

async function writeAtomic(path: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
  await nodeFileHost.writeFile(path, chunks);
}

/** Path of the model's GGUF of `type` (F16, Q8_0 or Q4_0), built when missing. */
export async function ensureBenchModel(size: BenchSize, type: string, root: string): Promise<string> {
  const s = spec(size);
  const dir = join(root, s.name);
  const hf = join(dir, 'hf');
  if ((await nodeFileHost.stat(join(hf, 'model.safetensors'))) !== 'file') {
    console.log(`[bench] generating ${s.name} (HF directory)`);
    const tmp = `${hf}.partial`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    for (const f of tinyModelFiles(s, await lenmlTokenizer('qwen3'))) {
      await writeAtomic(join(tmp, f.name), f.chunks ? f.chunks() : [new TextEncoder().encode(f.text)]);
    }
    await rename(tmp, hf);
  }
  const path = join(dir, `${s.name}-${type}.gguf`);
  if ((await nodeFileHost.stat(path)) === 'file') return path;
  console.log(`[bench] writing ${path}`);
  if (type === 'F16' || type === 'Q8_0') {
    const d = nodeFileHost.openDir(hf);
    try {
      const plan = await planHfToGguf(await openHfModelDir(d), { outType: type === 'F16' ? 'f16' : 'q8_0' });
      await writeAtomic(path, ggufChunks(plan.metadata, plan.tensors));
    } finally {
      await d.close?.();
    }
  } else {
    const src = await nodeFileHost.openFile(await ensureBenchModel(size, 'F16', root));
    try {
      const plan = planQuantize(await readGguf(src), type, { pure: true });
      await writeAtomic(path, ggufChunks(plan.metadata, plan.tensors));
    } finally {
      await src.close();
    }
  }
  return path;
}
