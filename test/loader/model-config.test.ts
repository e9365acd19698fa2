// GGUF metadata → ModelConfig (gguf-config.ts), with metadata shaped as llama.cpp's
// converter writes it for the same checkpoints the HF config tests use; and the shared
// consistency checks of model-config.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../src/loader/byte-source.ts';
import { encodeGguf, GgmlType, GgufValueType as V, kv, readGguf } from '../../src/loader/gguf/index.ts';
import { modelConfigFromGguf } from '../../src/loader/gguf-config.ts';
import { LoaderError } from '../../src/loader/loader-error.ts';
import { checkModelConfig, type ModelConfig } from '../../src/loader/model-config.ts';

const tokens = (n: number) => ({ itemType: V.STRING, items: Array.from({ length: n }, (_, i) => `t${i}`) });

const QWEN25_05B = {
  'general.architecture': 'qwen2', 'general.name': 'Qwen2.5 0.5B Instruct', 'general.file_type': 15,
  'qwen2.block_count': 24, 'qwen2.context_length': 32768, 'qwen2.embedding_length': 896, 'qwen2.feed_forward_length': 4864,
  'qwen2.attention.head_count': 14, 'qwen2.attention.head_count_kv': 2, 'qwen2.rope.freq_base': 1000000,
  'qwen2.attention.layer_norm_rms_epsilon': Math.fround(1e-6),
  'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.tokens': tokens(151936),
  'tokenizer.ggml.bos_token_id': 151643, 'tokenizer.ggml.eos_token_id': 151645, 'tokenizer.ggml.padding_token_id': 151643,
};

const QWEN3_06B = {
  'general.architecture': 'qwen3', 'general.file_type': 7,
  'qwen3.block_count': 28, 'qwen3.context_length': 40960, 'qwen3.embedding_length': 1024, 'qwen3.feed_forward_length': 3072,
  'qwen3.attention.head_count': 16, 'qwen3.attention.head_count_kv': 8, 'qwen3.rope.freq_base': 1000000,
  'qwen3.attention.layer_norm_rms_epsilon': Math.fround(1e-6), 'qwen3.attention.key_length': 128, 'qwen3.attention.value_length': 128,
  'tokenizer.ggml.tokens': tokens(151936), 'tokenizer.ggml.bos_token_id': 151643, 'tokenizer.ggml.eos_token_id': 151645,
};

const LLAMA32_1B = {
  'general.architecture': 'llama', 'general.file_type': 1,
  'llama.block_count': 16, 'llama.context_length': 131072, 'llama.embedding_length': 2048, 'llama.feed_forward_length': 8192,
  'llama.attention.head_count': 32, 'llama.attention.head_count_kv': 8, 'llama.rope.freq_base': 500000,
  'llama.attention.layer_norm_rms_epsilon': Math.fround(1e-5), 'llama.attention.key_length': 64, 'llama.attention.value_length': 64,
  'llama.rope.dimension_count': 64, 'llama.vocab_size': 128256,
  'tokenizer.ggml.bos_token_id': 128000, 'tokenizer.ggml.eos_token_id': 128009, 'tokenizer.ggml.eot_token_id': 128009, 'tokenizer.ggml.eom_token_id': 128008,
};

const base = { ropeScaling: null, oBias: false, mlpBias: false, slidingWindow: null } as const;

test('Qwen2.5-0.5B GGUF metadata (no tensor list: family defaults)', () => {
  assert.deepEqual(modelConfigFromGguf('q.gguf', QWEN25_05B), {
    ...base, architecture: 'qwen2', family: 'qwen2', vocabSize: 151936, hiddenSize: 896, intermediateSize: 4864, numLayers: 24,
    numHeads: 14, numKvHeads: 2, headDim: 64, rmsNormEps: Math.fround(1e-6), ropeTheta: 1e6, ropeDim: 64,
    maxPositionEmbeddings: 32768, tieWordEmbeddings: false, qkvBias: true, qkNorm: false,
    bosTokenId: 151643, eosTokenIds: [151645], dtype: 'Q4_K_M',
  } satisfies ModelConfig);
});

test('Qwen3-0.6B GGUF metadata with its tensor names: tied embeddings, q/k norm, head_dim 128', () => {
  const names = ['token_embd.weight', 'output_norm.weight', 'blk.0.attn_q.weight', 'blk.0.attn_q_norm.weight', 'blk.0.attn_k_norm.weight'];
  assert.deepEqual(modelConfigFromGguf('q3.gguf', QWEN3_06B, { tensorNames: names }), {
    ...base, architecture: 'qwen3', family: 'qwen3', vocabSize: 151936, hiddenSize: 1024, intermediateSize: 3072, numLayers: 28,
    numHeads: 16, numKvHeads: 8, headDim: 128, rmsNormEps: Math.fround(1e-6), ropeTheta: 1e6, ropeDim: 128,
    maxPositionEmbeddings: 40960, tieWordEmbeddings: true, qkvBias: false, qkNorm: true,
    bosTokenId: 151643, eosTokenIds: [151645], dtype: 'Q8_0',
  } satisfies ModelConfig);
});

test('Llama-3.2-1B GGUF metadata: eos + eot + eom end generation; llama3 scaling is a tensor, not metadata', () => {
  const c = modelConfigFromGguf('l.gguf', LLAMA32_1B, { tensorNames: ['token_embd.weight', 'rope_freqs.weight', 'blk.0.attn_q.weight'] });
  assert.deepEqual(c, {
    ...base, architecture: 'llama', family: 'llama', vocabSize: 128256, hiddenSize: 2048, intermediateSize: 8192, numLayers: 16,
    numHeads: 32, numKvHeads: 8, headDim: 64, rmsNormEps: Math.fround(1e-5), ropeTheta: 500000, ropeDim: 64,
    maxPositionEmbeddings: 131072, tieWordEmbeddings: true, qkvBias: false, qkNorm: false,
    bosTokenId: 128000, eosTokenIds: [128009, 128008], dtype: 'F16',
  } satisfies ModelConfig);
  const untied = modelConfigFromGguf('l.gguf', LLAMA32_1B, { tensorNames: ['token_embd.weight', 'output.weight', 'blk.0.attn_q.bias', 'blk.0.attn_output.bias'] });
  assert.deepEqual([untied.tieWordEmbeddings, untied.qkvBias, untied.oBias], [false, true, true]);
});

test('straight from the GGUF reader: Map of {type, value}, typed arrays, u64 values', async () => {
  const bytes = encodeGguf([
    ['general.architecture', kv.string('qwen2')],
    ['qwen2.block_count', kv.u64(2)],
    ['qwen2.context_length', kv.u32(128)],
    ['qwen2.embedding_length', kv.u32(64)],
    ['qwen2.feed_forward_length', kv.array(V.UINT32, [96, 96])],
    ['qwen2.attention.head_count', kv.u32(4)],
    ['qwen2.attention.head_count_kv', kv.u32(2)],
    ['qwen2.attention.layer_norm_rms_epsilon', kv.f32(1e-6)],
    ['qwen2.rope.freq_base', kv.f32(10000)],
    ['tokenizer.ggml.tokens', kv.array(V.STRING, ['a', 'b', 'c'])],
    ['tokenizer.ggml.eos_token_id', kv.u32(2)],
  ], [{ name: 'token_embd.weight', dims: [64, 3], type: GgmlType.F32, data: new Uint8Array(64 * 3 * 4) }]);
  const file = await readGguf(bytesSource('tiny.gguf', bytes));
  const c = modelConfigFromGguf('tiny.gguf', file.metadata, { tensorNames: file.tensors.map((t) => t.name) });
  assert.deepEqual([c.numLayers, c.intermediateSize, c.vocabSize, c.headDim, c.tieWordEmbeddings, c.qkvBias], [2, 96, 3, 16, true, false]);
  assert.deepEqual(c.eosTokenIds, [2]);
  assert.equal(c.bosTokenId, null);
});

test('rope scaling keys: yarn, linear, legacy scale_linear, none', () => {
  const yarn = modelConfigFromGguf('y', {
    ...QWEN25_05B, 'qwen2.rope.scaling.type': 'yarn', 'qwen2.rope.scaling.factor': 4, 'qwen2.rope.scaling.original_context_length': 32768,
  });
  assert.deepEqual(yarn.ropeScaling, { type: 'yarn', factor: 4, originalMaxPositionEmbeddings: 32768, betaFast: 32, betaSlow: 1, attentionFactor: null });
  const linear = modelConfigFromGguf('l', { ...LLAMA32_1B, 'llama.rope.scaling.type': 'linear', 'llama.rope.scaling.factor': 2 });
  assert.deepEqual(linear.ropeScaling, { type: 'linear', factor: 2 });
  assert.deepEqual(modelConfigFromGguf('l', { ...LLAMA32_1B, 'llama.rope.scale_linear': 4 }).ropeScaling, { type: 'linear', factor: 4 });
  assert.equal(modelConfigFromGguf('l', { ...LLAMA32_1B, 'llama.rope.scaling.type': 'none' }).ropeScaling, null);
});

const BAD: Record<string, [Record<string, unknown>, string, RegExp]> = {
  'unsupported architecture': [{ ...LLAMA32_1B, 'general.architecture': 'gemma2' }, 'unsupported', /architecture 'gemma2': basert supports llama, qwen2, qwen3/],
  'no architecture': [{ 'llama.block_count': 2 }, 'bad-config', /'general.architecture' is missing/],
  'missing block_count': [{ ...LLAMA32_1B, 'llama.block_count': undefined }, 'bad-config', /metadata 'llama.block_count' is missing/],
  'string where a number goes': [{ ...LLAMA32_1B, 'llama.embedding_length': '2048' }, 'bad-config', /'llama.embedding_length' must be a number/],
  'per-layer head counts that differ': [{ ...LLAMA32_1B, 'llama.attention.head_count_kv': [8, 8, 4] }, 'unsupported', /differs between layers \(8, 8, 4\)/],
  'no vocab size at all': [{ ...LLAMA32_1B, 'llama.vocab_size': undefined }, 'bad-config', /no 'llama.vocab_size' and no 'tokenizer.ggml.tokens'/],
  'unsupported rope scaling': [{ ...LLAMA32_1B, 'llama.rope.scaling.type': 'longrope', 'llama.rope.scaling.factor': 2 }, 'unsupported', /RoPE scaling type 'longrope'/],
  'kv heads do not divide heads': [{ ...LLAMA32_1B, 'llama.attention.head_count_kv': 7 }, 'bad-config', /32 attention heads are not a multiple of 7/],
};

for (const [name, [meta, code, re]] of Object.entries(BAD)) {
  test(`bad GGUF metadata: ${name}`, () => {
    assert.throws(() => modelConfigFromGguf('/m/x.gguf', meta), (e: unknown) =>
      e instanceof LoaderError && e.code === code && e.message.startsWith('/m/x.gguf: ') && re.test(e.message));
  });
}

test('checkModelConfig: rotary dims and positive numbers', () => {
  const ok = modelConfigFromGguf('l', LLAMA32_1B);
  assert.equal(checkModelConfig(ok, 'f'), ok);
  assert.throws(() => checkModelConfig({ ...ok, ropeDim: 65 }, 'f'), /f: rotary dims 65 must be even and at most head_dim 64/);
  assert.throws(() => checkModelConfig({ ...ok, rmsNormEps: 0 }, 'f'), /rms_norm_eps must be positive/);
  assert.throws(() => checkModelConfig({ ...ok, ropeScaling: { type: 'linear', factor: 0 } }, 'f'), /rope scaling factor must be positive/);
  assert.throws(() => checkModelConfig({ ...ok, vocabSize: 1.5 }, 'f'), /vocabSize must be a positive integer/);
});
