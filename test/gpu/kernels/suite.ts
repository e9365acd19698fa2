// Every kernel's conformance cases, in one list every runtime runs.
import { addCases } from './add.case.ts';
import { rmsNormCases } from './rms-norm.case.ts';
import { ropeCases } from './rope.case.ts';
import { softmaxCases } from './softmax.case.ts';
import { siluMulCases } from './silu-mul.case.ts';
import { embeddingCases } from './embedding.case.ts';
import { argmaxCases } from './argmax.case.ts';
import { gemvCases } from './gemv.case.ts';
import { matmulCases } from './matmul.case.ts';
import { kvCacheCases } from './kv-cache.case.ts';
import { attentionCases } from './attention.case.ts';
import { linearQuantCases } from './linear-quant.case.ts';
import { linearQuantQ8Cases } from './linear-quant-q8.case.ts';
import { quantizeQ8Cases } from './quantize-q8.case.ts';
import { sampleCases } from './sample.case.ts';
import { sampleMaskCases } from './sample-mask.case.ts';
import type { KernelCase } from './case.ts';

export const kernelSuite: KernelCase[] = [...addCases, ...rmsNormCases, ...ropeCases, ...softmaxCases, ...siluMulCases, ...embeddingCases, ...argmaxCases, ...matmulCases, ...gemvCases, ...linearQuantCases, ...quantizeQ8Cases, ...linearQuantQ8Cases, ...kvCacheCases, ...attentionCases, ...sampleCases, ...sampleMaskCases];
