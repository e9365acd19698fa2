// kv-write into the paged cache vs the CPU reference (src/cpu/kv-write.ts), and the
// cache's sizing rules. 16-bit: f16 bit patterns must match exactly (round to nearest
// even). 8/4-bit: scales within 1e-6 relative; codes equal, except that a value within
// an f32 rounding error of a code boundary may land one code over (the shader's 1 / scale
// need not be correctly rounded): at most 1 in 1000 codes may differ, by 1.
import { kvWriteRef } from '../../../src/cpu/kv-write.ts';
import { kvWrite } from '../../../src/gpu/kernels/kv-write.ts';
import { buildBatchInfo, uploadBatch } from '../../../src/gpu/kv-batch.ts';
import { KvCache, kvBlocksFor, kvPoolLimit, type KvBits, type KvPoolLayout } from '../../../src/gpu/kv-cache.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../../src/gpu/tensor.ts';
import { assert } from '../../helpers/assert.ts';
import { randn } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';
import { cpuPool, runPagedKv } from './paged-kv.fixture.ts';

/** Compares a GPU pool with the CPU one; returns a note. */
function comparePools(gpuPool: Uint32Array, cpuPool: Uint32Array, layout: KvPoolLayout, what: string): string {
  const { kvBits: bits, scaleOffset } = layout;
  if (bits === 16) {
    for (let i = 0; i < gpuPool.length; i++) assert(gpuPool[i] === cpuPool[i], `${what}: word ${i} is ${gpuPool[i].toString(16)}, expected ${cpuPool[i].toString(16)}`);
    return 'f16 bits exact';
  }
  const gs = new Float32Array(gpuPool.buffer), cs = new Float32Array(cpuPool.buffer);
  for (let i = scaleOffset; i < gpuPool.length; i++) {
    assert(Math.abs(gs[i] - cs[i]) <= 1e-6 * Math.abs(cs[i]), `${what}: scale ${i - scaleOffset} is ${gs[i]}, expected ${cs[i]}`);
  }
  let flips = 0, codes = 0;
  const epw = 32 / bits;
  for (let i = 0; i < scaleOffset; i++) {
    for (let e = 0; e < epw; e++) {
      const code = (w: number) => (w << (32 - bits * (e + 1))) >> (32 - bits);
      const d = Math.abs(code(gpuPool[i]) - code(cpuPool[i]));
      assert(d <= 1, `${what}: word ${i} element ${e} code ${code(gpuPool[i])}, expected ${code(cpuPool[i])}`);
      flips += d;
      codes++;
    }
  }
  assert(flips * 1000 <= codes, `${what}: ${flips} of ${codes} codes differ by one`);
  return `${flips} of ${codes} codes one off`;
}

const writeCases: KernelCase[] = ([16, 8, 4] as KvBits[]).map((kvBits) => ({
  name: `kv-write ${kvBits}-bit, mixed batch, 2 kv heads x 64, shuffled blocks`,
  async run(gpu) {
    const r = await runPagedKv(gpu, { kvBits, numHeads: 14, numKvHeads: 2, headDim: 64 });
    const notes: string[] = [];
    for (const [which, gpuPool] of [['k', r.kPool], ['v', r.vPool]] as const) {
      notes.push(`${which}: ${comparePools(gpuPool, cpuPool(r, which), r.cache.layout, `kv-write ${kvBits}-bit ${which}`)}`);
    }
    r.cache.destroy();
    return notes.join('; ');
  },
}));

const skipCase: KernelCase = {
  name: 'kv-write skips slot 0xffffffff (padding tokens), headDim 256 4-bit',
  async run(gpu) {
    const D = 256;
    const cache = new KvCache(gpu, { numLayers: 1, numKvHeads: 1, headDim: D, blockSize: 4, numBlocks: 2, kvBits: 4 });
    const info = buildBatchInfo([{ blockTable: [1, 0], numComputed: 2, numNew: 3 }], 4);
    info.words[info.offsets.slot + 1] = 0xffffffff;
    const slots = [...info.slotMapping];
    slots[1] = 0xffffffff;
    const k = randn(3 * D, 5, 2), v = randn(3 * D, 6, 0.1);
    const tk = createTensor(gpu, [3, 1, D], 'f32', k), tv = createTensor(gpu, [3, 1, D], 'f32', v);
    const batch = uploadBatch(gpu, info);
    const step = new GpuStep(gpu);
    kvWrite(step, cache, 0, tk, tv, batch);
    await step.submit();
    const notes: string[] = [];
    for (const [which, x] of [['k', k], ['v', v]] as const) {
      const cpu = new Uint32Array(cache.layout.totalWords);
      kvWriteRef(cpu, cache.layout, x, slots);
      const got = new Uint32Array(await readTensor(gpu, which === 'k' ? cache.k[0] : cache.v[0]));
      notes.push(comparePools(got, cpu, cache.layout, `kv-write skip ${which}`));
    }
    [tk, tv].forEach((t) => t.destroy());
    batch.destroy();
    cache.destroy();
    return notes.join('; ');
  },
};

const sizingCase: KernelCase = {
  name: 'KvCache sizing: bytesPerToken, per-layer binding limit',
  async run(gpu) {
    // Qwen2.5-7B-like: 28 layers, 4 kv heads x 128.
    const cfg = { numLayers: 28, numKvHeads: 4, headDim: 128 };
    assert(KvCache.bytesPerToken({ ...cfg, kvBits: 16 }) === 2 * 28 * 4 * 256, 'f16 bytes per token');
    assert(KvCache.bytesPerToken({ ...cfg, kvBits: 8 }) === 2 * 28 * 4 * (128 + 4), 'int8 bytes per token');
    assert(KvCache.bytesPerToken({ ...cfg, kvBits: 4 }) === 2 * 28 * 4 * (64 + 4), 'int4 bytes per token');
    // Layers are separate bindings: 28 layers of a 128 MiB-per-binding device still work.
    const blocks = kvBlocksFor(gpu, { ...cfg, blockSize: 16, kvBits: 16 });
    assert(blocks * 16 * 4 * 256 <= kvPoolLimit(gpu) && (blocks + 1) * 16 * 4 * 256 > kvPoolLimit(gpu), `kvBlocksFor ${blocks}`);
    let msg = '';
    try {
      new KvCache(gpu, { ...cfg, blockSize: 16, numBlocks: blocks + 1, kvBits: 16 }).destroy();
    } catch (e) {
      msg = String(e);
    }
    assert(/maxStorageBufferBindingSize/.test(msg) && msg.includes(`at most ${blocks} blocks`), `over-limit error: "${msg}"`);
    const small = new KvCache(gpu, { ...cfg, numLayers: 2, blockSize: 16, numBlocks: 3, kvBits: 4 });
    assert(small.bytesPerToken() === 2 * 2 * 4 * 68 && small.byteLength === 2 * 2 * 48 * 4 * (16 + 1) * 4, 'small cache sizes');
    small.destroy();
    return `${blocks} blocks of 16 per layer fit ${kvPoolLimit(gpu)} bytes`;
  },
};

export const kvCacheCases: KernelCase[] = [...writeCases, skipCase, sizingCase];
