// Models: load a GGUF file or HF directory onto a device and run batched forward steps.
export { loadModel, planModel, type LoadModelOptions, type ModelPlan } from './load.ts';
export { NUMERICS, numericsOf, type Numerics } from './numerics.ts';
export { Model, type ForwardBatch, type ForwardOptions, type ForwardOutput, type KvCacheOptions } from './model.ts';
export { DeviceLostError, ModelError, submitStep, unlessLost, type ModelErrorCode } from './errors.ts';
export type { LlamaModel, LlamaWeights, LlamaLayerWeights } from './llama.ts';
export type { SeqBatchEntry } from '../gpu/kv-batch.ts';
