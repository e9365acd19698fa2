// Compute pipelines keyed by one flat string: shader name, defines, entry point and
// override constants. A pipeline is compiled once per device and reused by every step.

import { WGSL } from './shaders.gen.ts';
import { preprocessWgsl, type Defines } from './wgsl-preprocess.ts';
import type { GpuFeatures, GpuTuning } from './device.ts';

export interface PipelineSpec {
  /** Shader file under shaders/, without extension: "rms-norm". */
  shader: string;
  entryPoint?: string;
  defines?: Defines;
  /** WGSL `override` constants (tile sizes, workgroup sizes). */
  constants?: Record<string, number>;
}

export function pipelineKey(spec: PipelineSpec): string {
  const defs = Object.entries(spec.defines ?? {})
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => (v === true ? k : `${k}=${v}`))
    .sort()
    .join(',');
  const consts = Object.entries(spec.constants ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join(',');
  return `${spec.shader}:${spec.entryPoint ?? 'main'}|${defs}|${consts}`;
}

export class PipelineCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  /** The same pipelines by JSON.stringify(spec): a call site builds its specs with the
   *  same field order every time, so this skips pipelineKey's sorting on every dispatch
   *  (a third of a decode step's recording time); a miss falls back to the canonical key. */
  private readonly bySpecJson = new Map<string, GPUComputePipeline>();

  constructor(
    private readonly device: GPUDevice,
    private readonly features: GpuFeatures,
    private readonly tuning: GpuTuning,
  ) {}

  get size(): number {
    return this.pipelines.size;
  }

  /** Flags every shader may test with #ifdef: F16, SUBGROUPS, F16_LOADS (tuning). */
  featureDefines(): Defines {
    return { F16: this.features.f16, SUBGROUPS: this.features.subgroups, F16_LOADS: this.tuning.nativeF16Loads };
  }

  wgsl(spec: PipelineSpec): string {
    return preprocessWgsl(spec.shader, WGSL, { ...this.featureDefines(), ...spec.defines });
  }

  get(spec: PipelineSpec): GPUComputePipeline {
    const json = JSON.stringify(spec);
    const hit = this.bySpecJson.get(json);
    if (hit) return hit;
    const p = this.compiled(spec);
    this.bySpecJson.set(json, p);
    return p;
  }

  private compiled(spec: PipelineSpec): GPUComputePipeline {
    const key = pipelineKey(spec);
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ label: key, code: this.wgsl(spec) });
      p = this.device.createComputePipeline({
        label: key,
        layout: 'auto',
        compute: { module, entryPoint: spec.entryPoint ?? 'main', constants: spec.constants },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }
}
