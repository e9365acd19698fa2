// ggml tensor types: ids as in ggml.h `enum ggml_type` (the numbers stored in GGUF tensor
// infos), names as ggml's type_traits print them, and each type's block geometry:
// `blockSize` elements are stored in `typeSize` bytes. Rows (dims[0]) must be a whole
// number of blocks.

export const GgmlType = {
  F32: 0, F16: 1, Q4_0: 2, Q4_1: 3, Q5_0: 6, Q5_1: 7, Q8_0: 8, Q8_1: 9,
  Q2_K: 10, Q3_K: 11, Q4_K: 12, Q5_K: 13, Q6_K: 14, Q8_K: 15,
  IQ2_XXS: 16, IQ2_XS: 17, IQ3_XXS: 18, IQ1_S: 19, IQ4_NL: 20, IQ3_S: 21, IQ2_S: 22, IQ4_XS: 23,
  I8: 24, I16: 25, I32: 26, I64: 27, F64: 28, IQ1_M: 29, BF16: 30,
  TQ1_0: 34, TQ2_0: 35, MXFP4: 39, NVFP4: 40, Q1_0: 41, Q2_0: 42,
} as const;
export type GgmlType = (typeof GgmlType)[keyof typeof GgmlType];

export interface GgmlTypeInfo {
  readonly type: GgmlType;
  /** ggml's name, e.g. 'q4_K', 'bf16'. */
  readonly name: string;
  /** Elements per block. */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSize: number;
}

const QK_K = 256;
// [type, blockSize, typeSize]. Sizes follow ggml-common.h's block structs (Q8_1 is 36
// bytes there: two f16 + 32 int8; it is never stored in files).
const TABLE: [GgmlType, number, number][] = [
  [GgmlType.F32, 1, 4], [GgmlType.F16, 1, 2], [GgmlType.BF16, 1, 2], [GgmlType.F64, 1, 8],
  [GgmlType.I8, 1, 1], [GgmlType.I16, 1, 2], [GgmlType.I32, 1, 4], [GgmlType.I64, 1, 8],
  [GgmlType.Q4_0, 32, 2 + 16], [GgmlType.Q4_1, 32, 2 + 2 + 16],
  [GgmlType.Q5_0, 32, 2 + 4 + 16], [GgmlType.Q5_1, 32, 2 + 2 + 4 + 16],
  [GgmlType.Q8_0, 32, 2 + 32], [GgmlType.Q8_1, 32, 2 + 2 + 32],
  [GgmlType.Q2_K, QK_K, 2 + 2 + QK_K / 16 + QK_K / 4],
  [GgmlType.Q3_K, QK_K, 2 + QK_K / 4 + QK_K / 8 + 12],
  [GgmlType.Q4_K, QK_K, 2 + 2 + 12 + QK_K / 2],
  [GgmlType.Q5_K, QK_K, 2 + 2 + 12 + QK_K / 8 + QK_K / 2],
  [GgmlType.Q6_K, QK_K, QK_K / 2 + QK_K / 4 + QK_K / 16 + 2],
  [GgmlType.Q8_K, QK_K, 4 + QK_K + QK_K / 8],
  [GgmlType.IQ2_XXS, QK_K, 2 + QK_K / 4], [GgmlType.IQ2_XS, QK_K, 2 + QK_K / 4 + QK_K / 32],
  [GgmlType.IQ3_XXS, QK_K, 2 + QK_K / 4 + QK_K / 8], [GgmlType.IQ1_S, QK_K, 2 + QK_K / 8 + QK_K / 16],
  [GgmlType.IQ4_NL, 32, 2 + 16], [GgmlType.IQ3_S, QK_K, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4],
  [GgmlType.IQ2_S, QK_K, 2 + QK_K / 4 + QK_K / 16], [GgmlType.IQ4_XS, QK_K, 2 + 2 + QK_K / 2 + QK_K / 64],
  [GgmlType.IQ1_M, QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32],
  [GgmlType.TQ1_0, QK_K, 2 + 4 * 13], [GgmlType.TQ2_0, QK_K, 2 + 64],
  [GgmlType.MXFP4, 32, 1 + 16], [GgmlType.NVFP4, 64, 4 + 32],
  [GgmlType.Q1_0, 128, 2 + 16], [GgmlType.Q2_0, 64, 2 + 16],
];

// ggml prints the K-quants with a capital K and everything else in lower case.
const ggmlName = (key: string) => key.toLowerCase().replace(/_k$/, '_K');

const INFO = new Map<number, GgmlTypeInfo>();
const BY_NAME = new Map<string, GgmlTypeInfo>();
for (const [key, type] of Object.entries(GgmlType)) {
  const row = TABLE.find((r) => r[0] === type);
  if (!row) throw new Error(`ggml type ${key} has no size entry`);
  const info: GgmlTypeInfo = { type, name: ggmlName(key), blockSize: row[1], typeSize: row[2] };
  INFO.set(type, info);
  BY_NAME.set(key.toLowerCase(), info);
}

/** Block geometry of a ggml type id, or undefined for an id this table does not know. */
export function ggmlTypeInfo(type: number): GgmlTypeInfo | undefined {
  return INFO.get(type);
}

/** 'q4_K' for 12; 'type 99' for an unknown id (for messages). */
export function ggmlTypeName(type: number): string {
  return INFO.get(type)?.name ?? `type ${type}`;
}

/** The type named `name` (any case: 'Q4_K', 'q4_k', 'bf16'), or undefined. */
export function ggmlTypeByName(name: string): GgmlType | undefined {
  return BY_NAME.get(name.toLowerCase())?.type;
}

/** Bytes that `numElements` elements of `type` occupy; throws unless whole blocks. */
export function tensorByteSize(type: number, numElements: number): number {
  const info = INFO.get(type);
  if (!info) throw new Error(`unknown ggml type ${type}`);
  if (numElements % info.blockSize !== 0) {
    throw new Error(`${numElements} elements are not a whole number of ${info.name} blocks of ${info.blockSize}`);
  }
  return (numElements / info.blockSize) * info.typeSize;
}
