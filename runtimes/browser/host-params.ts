// Host settings come from the worker script's URL (sw.js?manifest=…&disable=subgroups), the
// one thing a page controls when it registers a service worker; the page passes the same
// query to the relay's worker (holder.js), so both hosts agree.
//   manifest   model manifest URL (default /models/manifest.json; "none": no manifest)
//   relay=1    run the engine in a page's worker even where the service worker has WebGPU
//   disable    comma-separated features to leave off: shader-f16, subgroups, timestamp-query
//   ctx        tokens per request (default 2048)
import type { OptionalFeature } from '../../src/gpu/device.ts';
import type { EngineSettings } from './model-loader.ts';

export interface HostParams {
  manifestUrl: string | null;
  relay: boolean;
  disable: OptionalFeature[];
  settings: Partial<EngineSettings>;
}

const FEATURES: readonly OptionalFeature[] = ['shader-f16', 'subgroups', 'timestamp-query'];

export function hostParams(scriptUrl: string): HostParams {
  const url = new URL(scriptUrl);
  const q = url.searchParams;
  const manifest = q.get('manifest') ?? '/models/manifest.json';
  const disable = (q.get('disable') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of disable) if (!FEATURES.includes(f as OptionalFeature)) throw new Error(`disable=${f}: not one of ${FEATURES.join(', ')}`);
  const ctx = Number(q.get('ctx') ?? NaN);
  return {
    manifestUrl: manifest === 'none' ? null : new URL(manifest, url).href,
    relay: q.get('relay') === '1',
    disable: disable as OptionalFeature[],
    settings: Number.isInteger(ctx) && ctx > 0 ? { maxContext: ctx } : {},
  };
}
