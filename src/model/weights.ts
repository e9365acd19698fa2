// Weights on the GPU: planned first (types, shapes, bytes, limits checked; nothing
// allocated), then uploaded one tensor at a time, a few MiB per read, so a multi-GB model
// never sits whole in the JS heap.
//
// What each role becomes on the GPU:
//   linear  the file's own format (f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q4_k q5_k q6_k):
//           kernels/linear-quant.ts dequantizes inside the GEMV/GEMM. bf16 rows that are
//           not a multiple of 16 (the kernel's unit) become f32.
//   gather  a table the embedding kernel reads rows of: placed as a linear weight (the
//           file's format; the kernel dequantizes a row exactly as ggml's get_rows does),
//           so tied embeddings are one tensor serving both the gather and the LM head.
//   vector  norms and biases: f32.
import type { GpuDevice } from '../gpu/device.ts';
import { alignUp, createTensor, rowByteSize, type DType, type Tensor } from '../gpu/tensor.ts';
import { dequantize, GgmlType, ggmlTypeName } from '../loader/quant/index.ts';
import { ModelError } from './errors.ts';
import type { WeightInfo, WeightSource } from './weight-source.ts';

export type WeightRole = 'linear' | 'gather' | 'vector';

/** A weight the model's forward needs, as the family file declares it. */
export interface WeightSpec {
  /** The key the forward looks it up by (a GGUF name). */
  readonly name: string;
  /** Expected shape, leading dim first. */
  readonly shape: readonly number[];
  readonly role: WeightRole;
  /** Source tensor when not `name` (tied embeddings: output.weight from token_embd.weight). */
  readonly from?: string;
}

type Convert = 'raw' | 'f32';

export interface PlannedWeight {
  readonly name: string;
  readonly info: WeightInfo;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly convert: Convert;
  /** GPU bytes; 0 when the tensor shares another planned weight's storage. */
  readonly bytes: number;
  /** Name of the planned weight whose tensor this one reuses (tied embeddings). */
  readonly sameAs?: string;
}

export interface WeightPlan {
  readonly source: WeightSource;
  readonly weights: readonly PlannedWeight[];
  readonly bytes: number;
}

const FILE_DTYPES = new Map<number, DType>([
  [GgmlType.F32, 'f32'], [GgmlType.F16, 'f16'], [GgmlType.BF16, 'bf16'],
  [GgmlType.Q8_0, 'q8_0'], [GgmlType.Q4_0, 'q4_0'], [GgmlType.Q4_1, 'q4_1'], [GgmlType.Q5_0, 'q5_0'], [GgmlType.Q5_1, 'q5_1'],
  [GgmlType.Q4_K, 'q4_k'], [GgmlType.Q5_K, 'q5_k'], [GgmlType.Q6_K, 'q6_k'],
]);

function placement(spec: WeightSpec, info: WeightInfo, model: string): [DType, Convert] {
  const stored = FILE_DTYPES.get(info.type);
  if (stored === undefined) {
    throw new ModelError('unsupported', model, `tensor '${info.name}' is ${ggmlTypeName(info.type)}; basert's kernels read ${[...FILE_DTYPES.values()].join(', ')}`);
  }
  if (spec.role === 'vector') return ['f32', stored === 'f32' ? 'raw' : 'f32'];
  // linear and gather: the GEMV/GEMM read bf16 in units of 16 (the gather in 4s).
  const K = spec.shape[spec.shape.length - 1];
  if (stored === 'bf16' && K % 16 !== 0) return ['f32', 'f32'];
  return [stored, 'raw'];
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Checks every weight against the specs and the device's binding limit; allocates nothing. */
export function planWeights(source: WeightSource, specs: readonly WeightSpec[], bindingLimit: number): WeightPlan {
  const weights: PlannedWeight[] = [];
  const byStorage = new Map<string, string>();
  let bytes = 0;
  for (const spec of specs) {
    const from = spec.from ?? spec.name;
    const info = source.tensors.get(from);
    if (!info) throw new ModelError('bad-weights', source.name, `tensor '${from}' is missing`);
    if (!sameShape(info.shape, spec.shape)) {
      throw new ModelError('bad-weights', source.name, `tensor '${from}' is [${info.shape}], the config says [${spec.shape}]`);
    }
    const [dtype, convert] = placement(spec, info, source.name);
    const rowLen = spec.shape.length > 1 ? spec.shape.slice(1).reduce((a, b) => a * b, 1) : spec.shape[0];
    const rowBytes = rowByteSize(dtype, rowLen);
    if (rowBytes > bindingLimit) {
      throw new ModelError('too-large', source.name, `one row of '${from}' is ${rowBytes} bytes as ${dtype}, over this device's maxStorageBufferBindingSize of ${bindingLimit} bytes`);
    }
    const key = `${from}:${dtype}`;
    const sameAs = byStorage.get(key);
    const size = sameAs ? 0 : (spec.shape.length > 1 ? spec.shape[0] : 1) * rowBytes;
    if (!sameAs) byStorage.set(key, spec.name);
    weights.push({ name: spec.name, info, shape: spec.shape, dtype, convert, bytes: size, sameAs });
    bytes += size;
  }
  return { source, weights, bytes };
}

/** Bytes read per request while uploading. */
const PIECE_BYTES = 16 << 20;

function convertRows(w: PlannedWeight, bytes: Uint8Array): Uint8Array {
  if (w.convert === 'raw') return bytes;
  return new Uint8Array(dequantize(w.info.type, bytes).buffer);
}

/** Streams one planned weight into a new tensor, whole rows per read. */
async function uploadOne(gpu: GpuDevice, w: PlannedWeight): Promise<Tensor> {
  const t = createTensor(gpu, w.shape, w.dtype, undefined, { label: w.name });
  const srcType = w.info.type;
  const rowLen = t.numel / t.rows;
  const srcRowBytes = w.convert === 'raw' ? t.rowBytes : rowByteSize(FILE_DTYPES.get(srcType)!, rowLen);
  // Pieces of whole rows whose GPU bytes are a multiple of 4 (writeBuffer offsets).
  const align = 4 / gcd(t.rowBytes, 4);
  const piece = Math.max(align, Math.floor(PIECE_BYTES / Math.max(srcRowBytes, t.rowBytes) / align) * align);
  for (const c of t.chunks) {
    for (let r = 0; r < c.rows; r += piece) {
      const n = Math.min(piece, c.rows - r);
      let data = convertRows(w, await w.info.read((c.rowStart + r) * srcRowBytes, n * srcRowBytes));
      if (data.byteLength % 4 !== 0) {
        const padded = new Uint8Array(alignUp(data.byteLength, 4));
        padded.set(data);
        data = padded;
      }
      gpu.device.queue.writeBuffer(c.buffer, r * t.rowBytes, data.buffer, data.byteOffset, data.byteLength);
    }
  }
  return t;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Allocates and fills every planned weight. Out-of-memory during allocation frees what
 * was allocated and raises ModelError('out-of-memory').
 */
export async function uploadWeights(gpu: GpuDevice, plan: WeightPlan): Promise<Map<string, Tensor>> {
  const out = new Map<string, Tensor>();
  const owned: Tensor[] = [];
  gpu.device.pushErrorScope('out-of-memory');
  let failure: unknown;
  try {
    for (const w of plan.weights) {
      if (w.sameAs) {
        out.set(w.name, out.get(w.sameAs)!);
        continue;
      }
      const t = await uploadOne(gpu, w);
      owned.push(t);
      out.set(w.name, t);
    }
  } catch (e) {
    failure = e;
  }
  const oom = await gpu.device.popErrorScope();
  if (failure || oom) {
    for (const t of owned) t.destroy();
    if (failure) throw failure;
    throw new ModelError('out-of-memory', plan.source.name, `the device ran out of memory uploading ${plan.bytes} bytes of weights (${oom!.message})`);
  }
  return out;
}
