// GGUF -> GGUF requantization (`basert quantize`), as llama-quantize does it: the same
// metadata with general.file_type and general.quantization_version set, each tensor
// converted to the type quantize-rules.ts picks (or copied as stored), streamed one
// tensor at a time. Sources are F32/F16/BF16 files; already-quantized tensors are
// requantized only when asked (llama-quantize --allow-requantize).
import { GgufError, kv, metaNumber, metaString, readTensorData, readTensorF32, type GgufFile, type GgufKv, type GgufTensorInput } from './gguf/index.ts';
import { QUANTIZATION_VERSION } from './convert/hparams.ts';
import type { GgufPlan } from './convert/convert.ts';
import { GgmlType, ggmlTypeInfo, ggmlTypeName } from './quant/formats.ts';
import { quantize } from './quant/index.ts';
import { fileTypeByName, FILE_TYPE_NAMES, planTensorTypes } from './quantize-rules.ts';

export interface QuantizeOptions {
  /** Every quantizable tensor gets the file type's default type (llama-quantize --pure). */
  pure?: boolean;
  /** Requantize tensors that are already quantized (quality suffers). */
  allowRequantize?: boolean;
}

const SPLIT_KEYS = ['split.no', 'split.count', 'split.tensors.count'];

function setKey(meta: [string, GgufKv][], key: string, value: GgufKv): void {
  const i = meta.findIndex(([k]) => k === key);
  if (i >= 0) meta[i] = [key, value];
  else meta.push([key, value]);
}

/** The plan of a quantized copy of `file` (stream it with ggufChunks). */
export function planQuantize(file: GgufFile, typeName: string, opts: QuantizeOptions = {}): GgufPlan {
  const ft = fileTypeByName(typeName);
  if (!ft) throw new RangeError(`unknown quantization type '${typeName}' (basert writes ${FILE_TYPE_NAMES.join(', ')})`);
  const arch = metaString(file.metadata, 'general.architecture');
  const numLayers = (arch && metaNumber(file.metadata, `${arch}.block_count`)) || 0;
  const types = planTensorTypes(file.tensors, ft, numLayers, opts.pure);
  const metadata = [...file.metadata].filter(([k]) => !SPLIT_KEYS.includes(k));
  setKey(metadata, 'general.quantization_version', kv.u32(QUANTIZATION_VERSION));
  setKey(metadata, 'general.file_type', kv.u32(ft.fileType));
  const tensors: GgufTensorInput[] = file.tensors.map((t) => {
    const type = types.get(t.name) ?? t.type;
    if (type === t.type) return { name: t.name, dims: t.dims, type, data: () => readTensorData(file, t) };
    if (ggmlTypeInfo(t.type)!.blockSize > 1 && !opts.allowRequantize) {
      throw new GgufError(file.source.name, `tensor '${t.name}' is already ${ggmlTypeName(t.type)}; requantizing loses quality (allow it explicitly to go on)`);
    }
    return { name: t.name, dims: t.dims, type, data: async () => quantize(type, await readTensorF32(file, t)) };
  });
  return { metadata, tensors };
}

/** Counts of each output type in a plan, for reports ("q4_K: 14, q6_K: 3, f32: 9"). */
export function typeCounts(tensors: readonly { type: GgmlType }[]): string {
  const counts = new Map<string, number>();
  for (const t of tensors) counts.set(ggmlTypeName(t.type), (counts.get(ggmlTypeName(t.type)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k}: ${n}`).join(', ');
}
