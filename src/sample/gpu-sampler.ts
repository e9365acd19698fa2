// Samples the next token of every sequence in a batch on the GPU, recording into the
// caller's GpuStep: [top-logprobs] -> edits (bias, penalties) -> [grammar masks] -> sample
// (or argmax when the whole batch is greedy). Only the ids come back, plus the logprob words
// when a sequence asked for them. The logits are edited in place. See docs/sampling.md.

import { argmax } from '../gpu/kernels/argmax.ts';
import { BufferUsage } from '../gpu/flags.ts';
import { grid, Params, type GpuStep } from '../gpu/step.ts';
import { alignUp, Tensor } from '../gpu/tensor.ts';
import { maskWords, packMasks } from './mask.ts';
import { packBatch } from './pack.ts';
import type { SeqSampling } from './sequence.ts';

export interface SampleLogprobs {
  /** Raw model log-probability of each row's sampled token (NaN where not asked). */
  chosen: Float32Array;
  /** Per row, the top_logprobs most likely tokens under the raw model, most likely first
   *  (ties: lower id first); empty where not asked. */
  top: { ids: Uint32Array; logprobs: Float32Array }[];
}

export interface SampleResult {
  ids: Uint32Array;
  logprobs?: SampleLogprobs;
}

/** Invocations per row (WG) and how many elements a threshold search may gather into
 *  workgroup memory (CAP, f32). CPU adapters run few invocations walking long stretches
 *  fastest (as kernels/rms-norm.ts CPU_ROW_WG); on GPUs the per-invocation partials take
 *  WG x 128 bytes, which with CAP keeps a workgroup within 16 KiB. */
function sizes(step: GpuStep): { WG: number; CAP: number } {
  return step.gpu.tuning.cpuLanes ? { WG: 16, CAP: 2048 } : { WG: 64, CAP: 512 };
}

/**
 * Samples one token per row of `logits` ([S, vocab] f32, one row per entry of `seqs`).
 * Resolves after the caller submits `step`. Edits `logits` in place (logit_bias, penalties,
 * masks). Logprobs stay the raw model's: they are taken before any edit or mask.
 */
export function sample(step: GpuStep, logits: Tensor, seqs: readonly SeqSampling[]): Promise<SampleResult> {
  const S = seqs.length;
  const n = logits.shape[logits.shape.length - 1];
  if (logits.dtype !== 'f32' || logits.numel !== S * n) {
    throw new Error(`sample: logits must be f32 [${S}, vocab], got ${logits.dtype} [${logits.shape}]`);
  }
  if (S === 0) return Promise.resolve({ ids: new Uint32Array(0) });
  const gpu = step.gpu;
  const pack = packBatch(seqs, n);
  const masks = packMasks(seqs.map((s) => s.mask), n);
  const { kmax } = pack;
  // out words: ids [S] | chosen logprob [S] | top ids [S, kmax] | top logprobs [S, kmax] | lse [S]
  const off = { lp: S, top: 2 * S, toplp: 2 * S + S * kmax, lse: 2 * S + 2 * S * kmax };
  const outWords = pack.anyLogprobs ? off.lse + S : S;
  const readWords = pack.anyLogprobs ? off.lse : S;

  const storage = BufferUsage.STORAGE | BufferUsage.COPY_DST;
  const rowsBuf = gpu.pool.acquire(pack.rows.byteLength, storage, 'sample-rows');
  const editsBuf = gpu.pool.acquire(pack.edits.byteLength, storage, 'sample-edits');
  const outBuf = gpu.pool.acquire(outWords * 4, storage | BufferUsage.COPY_SRC, 'sample-out');
  const maskBuf = masks ? gpu.pool.acquire(masks.words.byteLength, storage, 'sample-masks') : null;
  if (masks && maskBuf) gpu.device.queue.writeBuffer(maskBuf, 0, masks.words);
  gpu.device.queue.writeBuffer(rowsBuf, 0, pack.rows);
  gpu.device.queue.writeBuffer(editsBuf, 0, pack.edits);
  const bind = (buffer: GPUBuffer, bytes: number): GPUBufferBinding => ({ buffer, offset: 0, size: alignUp(bytes, 4) });
  const x = logits.binding();
  const rows = bind(rowsBuf, pack.rows.byteLength);
  const edits = bind(editsBuf, pack.edits.byteLength);
  const out = bind(outBuf, outWords * 4);
  const maxWg = gpu.limits.maxComputeWorkgroupsPerDimension;
  const constants = sizes(step);
  const params = new Params().u32(S).u32(n).u32(kmax).u32(off.lp).u32(off.top).u32(off.toplp).u32(off.lse).bytes();

  if (pack.anyLogprobs) {
    // Raw logprobs read the logits before the edits below change them.
    step.dispatch({ shader: 'sample-logprobs', constants }, [x, rows, out], params, grid(S, maxWg));
  }
  if (pack.numEdits > 0) {
    const wg = grid(Math.ceil(pack.numEdits / 64), maxWg);
    step.dispatch({ shader: 'sample-penalize' }, [x, edits], new Params().u32(pack.numEdits).bytes(), wg);
  }
  if (masks && maskBuf) {
    // After the edits, so a bias cannot lift a disallowed token back.
    const words = maskWords(n);
    const wg = grid(Math.ceil((masks.count * words) / 64), maxWg);
    step.dispatch({ shader: 'sample-mask' }, [x, bind(maskBuf, masks.words.byteLength)], new Params().u32(masks.count).u32(words).u32(n).bytes(), wg);
  }
  if (pack.allGreedy && !pack.anyLogprobs) {
    const ids = new Tensor([S], 'u32', [{ buffer: outBuf, rowStart: 0, rows: S }], gpu, false);
    argmax(step, logits, n, ids);
  } else {
    step.dispatch({ shader: 'sample', constants }, [x, rows, edits, out], params, grid(S, maxWg));
  }

  const release = () => [rowsBuf, editsBuf, outBuf, ...(maskBuf ? [maskBuf] : [])].forEach((b) => gpu.pool.release(b));
  return step
    .read(bind(outBuf, readWords * 4), readWords * 4)
    .then((data) => {
      const words = new Uint32Array(data);
      const ids = words.slice(0, S);
      if (!pack.anyLogprobs) return { ids };
      const f = new Float32Array(data);
      const chosen = f.slice(off.lp, off.lp + S);
      const top = pack.topN.map((k, r) => ({
        ids: words.slice(off.top + r * kmax, off.top + r * kmax + k),
        logprobs: f.slice(off.toplp + r * kmax, off.toplp + r * kmax + k),
      }));
      seqs.forEach((s, r) => s.params.logprobs || (chosen[r] = NaN));
      return { ids, logprobs: { chosen, top } };
    })
    .finally(release);
}
