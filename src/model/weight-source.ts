// A model's tensors under their GGUF names, whichever file holds them: a GGUF, or an HF
// directory's safetensors (named through the converter's map). Only headers are held;
// bytes are read on request, a range at a time.
//
// RoPE layout: llama.cpp's converter permutes the q/k rows of llama/mistral checkpoints so
// GGML's interleaved rope (pairs 2i, 2i+1) applies; HF checkpoints (all families) and
// Qwen GGUFs keep NeoX order (pairs i, i + d/2). Rather than permuting on upload, each
// source says which order its q/k rows are in and the forward rotates that way: the two
// are the same model (the permutation only relabels dimensions inside each head).
import { ggufTensorName } from '../loader/convert/index.ts';
import type { GgufFile } from '../loader/gguf/index.ts';
import { readTensorData } from '../loader/gguf/index.ts';
import type { HfModelDir } from '../loader/hf/index.ts';
import type { ModelConfig } from '../loader/model-config.ts';
import { GgmlType } from '../loader/quant/index.ts';
import { ModelError } from './errors.ts';

export interface WeightInfo {
  /** GGUF name, e.g. 'blk.0.attn_q.weight'. */
  readonly name: string;
  /** Row-major, leading dim first: [out, in] for a linear weight, [n] for a norm. */
  readonly shape: readonly number[];
  /** ggml type of the stored bytes. */
  readonly type: GgmlType;
  readonly byteSize: number;
  /** `length` stored bytes from `start` within the tensor. */
  read(start: number, length: number): Promise<Uint8Array>;
}

export interface WeightSource {
  /** The file or directory, for messages. */
  readonly name: string;
  readonly tensors: ReadonlyMap<string, WeightInfo>;
  /** q/k rows in NeoX order (true) or GGML's interleaved llama order (false). */
  readonly ropeNeox: boolean;
}

export function ggufWeightSource(file: GgufFile, config: ModelConfig): WeightSource {
  const tensors = new Map<string, WeightInfo>();
  for (const t of file.tensors) {
    tensors.set(t.name, {
      name: t.name,
      shape: [...t.dims].reverse(),
      type: t.type,
      byteSize: t.byteSize,
      read: (start, length) => readTensorData(file, t, start, length),
    });
  }
  // llama.cpp: LLAMA_ROPE_TYPE_NORM for its "llama" architecture (Mistral included), NEOX for qwen2/qwen3.
  return { name: file.source.name, tensors, ropeNeox: config.family !== 'llama' && config.family !== 'mistral' };
}

const HF_TYPES: Readonly<Record<string, GgmlType>> = { F32: GgmlType.F32, F16: GgmlType.F16, BF16: GgmlType.BF16 };

export function hfWeightSource(model: HfModelDir): WeightSource {
  const tensors = new Map<string, WeightInfo>();
  for (const t of model.tensors.tensors.values()) {
    const name = ggufTensorName(t.name);
    if (name === null || name === undefined) continue; // buffers the converter drops; unknown names are reported as missing weights
    const type = HF_TYPES[t.dtype];
    if (type === undefined) {
      throw new ModelError('unsupported', t.file.source.name, `tensor '${t.name}' is ${t.dtype}; basert reads F32, F16 and BF16 checkpoints`);
    }
    tensors.set(name, { name, shape: t.shape, type, byteSize: t.byteSize, read: (start, length) => model.tensors.read(t, start, length) });
  }
  return { name: model.dir.name, tensors, ropeNeox: true };
}
