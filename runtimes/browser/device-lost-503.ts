// A lost GPU device fails the requests it was running. In a tab that is an expected event
// (the browser reclaims GPUs, drivers reset) and the host reloads the model at once, so
// clients should retry: this wrapper turns the failure into a 503 with Retry-After (a
// chunk carrying the same error body when a stream had already started), instead of the
// 500 an unknown error becomes.
//
// The failure is not always a DeviceLostError: Chromium rejects a pending mapAsync with
// an AbortError ("Buffer was unmapped before mapping was resolved") before it resolves
// device.lost, so the engine sees a plain step failure. Any failure is therefore checked
// against the device: lost now, or within LOST_GRACE_MS, means device_lost.
import type { ServingEngine } from '../../src/engine/model-registry.ts';
import type { EngineOutput, RequestHandle } from '../../src/engine/types.ts';
import type { GpuDevice } from '../../src/gpu/device.ts';
import { DeviceLostError } from '../../src/model/index.ts';
import { ApiError } from '../../src/server/index.ts';

export const DEVICE_LOST_CODE = 'device_lost';
/** How long after a failed step device.lost may still resolve (ms). */
const LOST_GRACE_MS = 200;

/** The loss behind `e`, if the device is lost (now or within the grace period). */
async function lossBehind(gpu: GpuDevice, e: unknown): Promise<DeviceLostError | null> {
  if (e instanceof Error && e.name === 'DeviceLostError') return e as DeviceLostError;
  const info = await Promise.race([gpu.lost, new Promise<null>((r) => setTimeout(() => r(null), gpu.isLost ? 0 : LOST_GRACE_MS))]);
  return info ? new DeviceLostError(info.reason ?? 'unknown', info.message) : null;
}

async function toApiError(gpu: GpuDevice, e: unknown): Promise<unknown> {
  const lost = await lossBehind(gpu, e);
  if (!lost) return e;
  return new ApiError(503, 'server_error', `${lost.message}. The model is being reloaded; retry the request.`, null, DEVICE_LOST_CODE, { 'retry-after': '2' });
}

function wrapHandle(h: RequestHandle, gpu: GpuDevice): RequestHandle {
  const done = h.done.catch(async (e: unknown) => {
    throw await toApiError(gpu, e);
  });
  done.catch(() => {}); // routes read `done` only after the stream: a failed stream reports first
  return {
    id: h.id,
    done,
    abort: () => h.abort(),
    async *[Symbol.asyncIterator](): AsyncGenerator<EngineOutput> {
      try {
        yield* h;
      } catch (e) {
        throw await toApiError(gpu, e);
      }
    },
  };
}

/** `engine` (running on `gpu`) with device loss reported as 503 device_lost. */
export function withDeviceLost503(engine: ServingEngine, gpu: GpuDevice): ServingEngine {
  return {
    get model() {
      return engine.model;
    },
    get maxContext() {
      return engine.maxContext;
    },
    add: (req) => wrapHandle(engine.add(req), gpu),
    stats: () => engine.stats(),
    close: () => engine.close(),
  };
}
