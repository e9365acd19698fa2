// Acquires a WebGPU device from whatever `GPU` object the runtime hands in (Dawn on
// Node/Bun, navigator.gpu on Deno and browsers) and wraps it with the shared
// machinery every kernel needs: capabilities, pipeline cache, buffer pool.

import { BindGroupCache } from './bind-group-cache.ts';
import { BufferPool } from './buffer-pool.ts';
import { PipelineCache } from './pipeline-cache.ts';

export type OptionalFeature = 'shader-f16' | 'subgroups' | 'timestamp-query';
const OPTIONAL_FEATURES: OptionalFeature[] = ['shader-f16', 'subgroups', 'timestamp-query'];

/** Limits we ask for at the adapter's real maximum instead of the WebGPU defaults. */
const RAISED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;
export type GpuLimitName = (typeof RAISED_LIMITS)[number];
export type GpuLimits = Record<GpuLimitName, number> & {
  minStorageBufferOffsetAlignment: number;
  minUniformBufferOffsetAlignment: number;
};

export interface GpuFeatures {
  f16: boolean;
  subgroups: boolean;
  timestamp: boolean;
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software / fallback adapters (lavapipe, SwiftShader, WARP). */
  isFallback: boolean;
}

/** Per-device choices between equivalent code paths, made from measurements. */
export interface GpuTuning {
  /** Invocations run as CPU SIMD lanes (lavapipe, SwiftShader): per-invocation cost and
   *  gathers dominate, so kernels pick fewer, fatter invocations with uniform loads
   *  (elements per invocation, row workgroup sizes, rope heads per invocation, sampler
   *  tiles; measurements in each kernel). Defaults to the adapter being a software one. */
  cpuLanes: boolean;
  /** Load f16 weights as native f16 (needs shader-f16). Off on software adapters, where
   *  f16 arithmetic is emulated: lavapipe's f16 GEMV ran 2.8x slower than u32 loads +
   *  unpack2x16float (bench/kernels, 1024x1024). */
  nativeF16Loads: boolean;
  /** GEMV work split. split-k: a workgroup's invocations share 4 rows' K (coalesced
   *  loads; GPUs). rows: each invocation owns 4 rows (uniform x loads, no reduction),
   *  which measured 1.2-2x faster on lavapipe, whose lanes are CPU SIMD lanes (numbers in
   *  gemv.wgsl and gemv-quant.wgsl). */
  gemvLayout: 'split-k' | 'rows';
}

export interface AcquireOptions {
  /** Pretend the adapter lacks these features (to exercise fallback paths). */
  disable?: OptionalFeature[];
  /** Override the measured defaults (tests use this to cover every path). */
  tuning?: Partial<GpuTuning>;
  powerPreference?: GPUPowerPreference;
}

export class NoAdapterError extends Error {
  override name = 'NoAdapterError';
}

export const NO_ADAPTER_HELP = `No WebGPU adapter is available.
basert needs a WebGPU adapter: a GPU with Vulkan, Metal or D3D12 drivers, or a software
adapter. On a machine without a GPU:
  - Debian/Ubuntu: run \`npx basert setup-gpu\` (no root needed); it unpacks Mesa >= 25
    lavapipe from the release's backports into .cache/lavapipe, which basert
    then uses automatically.
  - or install Chromium (Debian package \`chromium\`): its SwiftShader Vulkan driver is used
    as a fallback.
  - in a browser, enable WebGPU (Chrome/Edge 113+, or chrome://flags/#enable-unsafe-webgpu).`;

export class GpuDevice {
  readonly pipelines: PipelineCache;
  readonly pool: BufferPool;
  readonly bindGroups: BindGroupCache;
  /** Resolves when the device is lost (destroyed, driver reset): callers fail fast. */
  readonly lost: Promise<GPUDeviceLostInfo>;
  isLost = false;
  /** Why, once lost. */
  lostInfo: GPUDeviceLostInfo | null = null;
  private readonly uncaptured: string[] = [];

  constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterSummary,
    readonly features: GpuFeatures,
    readonly limits: GpuLimits,
    readonly tuning: GpuTuning,
  ) {
    this.pipelines = new PipelineCache(device, features, tuning);
    this.pool = new BufferPool(device);
    this.bindGroups = new BindGroupCache(device);
    // Validation and out-of-memory errors nobody captured: kept so callers (tests, the
    // doctor) can fail on them instead of trusting results of invalid commands.
    device.addEventListener('uncapturederror', (e) => {
      const err = (e as GPUUncapturedErrorEvent).error;
      if (this.uncaptured.length < 100) this.uncaptured.push(err.message);
    });
    this.lost = device.lost.then((info) => {
      this.isLost = true;
      this.lostInfo = info;
      return info;
    });
  }

  /** Errors raised since the last call (validation, out-of-memory), oldest first. */
  takeErrors(): string[] {
    return this.uncaptured.splice(0);
  }

  /** Throws when the device reported errors since the last check. */
  assertNoErrors(what: string): void {
    const errs = this.takeErrors();
    if (errs.length) throw new Error(`${what}: ${errs.length} WebGPU error(s); first: ${errs[0]}`);
  }

  destroy(): void {
    this.bindGroups.clear();
    this.pool.destroy();
    this.device.destroy();
  }
}

function summarize(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const desc = info.description ?? '';
  const isFallback =
    Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter) ||
    info.architecture === 'software' ||
    /llvmpipe|lavapipe|swiftshader|warp/i.test(desc + ' ' + info.device);
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: desc,
    isFallback,
  };
}

export async function acquireDevice(gpu: GPU | undefined, opts: AcquireOptions = {}): Promise<GpuDevice> {
  if (!gpu) throw new NoAdapterError(NO_ADAPTER_HELP);
  // Hardware first; a runtime that only has a software adapter returns it either way.
  const adapter =
    (await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' })) ??
    (await gpu.requestAdapter({ forceFallbackAdapter: true })) ??
    // OpenGL-backed implementations (Dawn's GL backend) offer only compatibility mode.
    (await gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions));
  if (!adapter) throw new NoAdapterError(NO_ADAPTER_HELP);

  const disabled = new Set(opts.disable ?? []);
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f) && !disabled.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const v = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  const device = await adapter.requestDevice({
    requiredFeatures: requiredFeatures as GPUFeatureName[],
    requiredLimits,
  });
  const lim = device.limits as unknown as Record<string, number>;
  const limits = Object.fromEntries(
    [...RAISED_LIMITS, 'minStorageBufferOffsetAlignment', 'minUniformBufferOffsetAlignment'].map((k) => [k, lim[k]]),
  ) as GpuLimits;
  const features: GpuFeatures = {
    f16: device.features.has('shader-f16'),
    subgroups: device.features.has('subgroups'),
    timestamp: device.features.has('timestamp-query'),
  };
  const summary = summarize(adapter);
  const cpuLanes = opts.tuning?.cpuLanes ?? summary.isFallback;
  const tuning: GpuTuning = {
    cpuLanes,
    nativeF16Loads: features.f16 && !summary.isFallback,
    gemvLayout: cpuLanes ? 'rows' : 'split-k',
    ...opts.tuning,
  };
  if (tuning.nativeF16Loads && !features.f16) throw new Error('nativeF16Loads needs shader-f16');
  return new GpuDevice(device, summary, features, limits, tuning);
}
