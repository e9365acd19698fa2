// The ways loading or running a model fails that a caller can act on: a model the
// device cannot hold or the kernels cannot serve (raised before anything is allocated),
// and a lost device (raised instead of waiting forever on a dead queue).
import type { GpuDevice } from '../gpu/device.ts';
import type { GpuStep } from '../gpu/step.ts';

export type ModelErrorCode =
  /** A shape or tensor type no kernel implements (head_dim 512, an IQ2 weight, ...). */
  | 'unsupported'
  /** Tensors missing or shaped unlike the config says. */
  | 'bad-weights'
  /** Over a device limit: a binding size, or the memory budget. */
  | 'too-large'
  /** The device ran out of memory while allocating (everything allocated was freed). */
  | 'out-of-memory';

export class ModelError extends Error {
  override name = 'ModelError';
  constructor(readonly code: ModelErrorCode, readonly model: string, readonly problem: string) {
    super(`${model}: ${problem}`);
  }
}

/** The GPU device was lost (driver reset, destroyed): everything on it is gone. */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
  constructor(readonly reason: string, message: string) {
    super(`GPU device lost (${reason}): ${message || 'no details'}; reload the model on a new device`);
  }
}

/** Rejects when the device is lost; never resolves. Marked handled, since most callers
 *  race it and are long gone when a device is destroyed at shutdown. */
function lostError(gpu: GpuDevice): Promise<never> {
  const p = gpu.lost.then((info): never => {
    throw new DeviceLostError(info.reason ?? 'unknown', info.message);
  });
  p.catch(() => {});
  return p;
}

/** Throws DeviceLostError when the device is already gone. */
export async function assertDeviceAlive(gpu: GpuDevice): Promise<void> {
  if (gpu.isLost) await lostError(gpu);
}

/** How long after a failed submit or read-back device.lost may still resolve (ms). */
const LOST_GRACE_MS = 200;

/**
 * `work` (a submit, a read-back), failing with DeviceLostError if the device is or gets
 * lost. Some implementations (Chromium) reject a pending read-back with an AbortError
 * before they resolve device.lost, so any failure is checked against the device: lost now
 * or within LOST_GRACE_MS means the loss is the cause.
 */
export async function unlessLost<T>(gpu: GpuDevice, work: () => Promise<T>): Promise<T> {
  await assertDeviceAlive(gpu);
  const p = work();
  p.catch(() => {}); // when the loss wins the race, `work` fails later with nobody listening
  try {
    return await Promise.race([p, lostError(gpu)]);
  } catch (e) {
    if (e instanceof DeviceLostError) throw e;
    const info = await Promise.race([gpu.lost, new Promise<null>((r) => setTimeout(() => r(null), gpu.isLost ? 0 : LOST_GRACE_MS))]);
    if (info) throw new DeviceLostError(info.reason ?? 'unknown', info.message);
    throw e;
  }
}

/** step.submit() (and its read-backs), or DeviceLostError. */
export function submitStep(gpu: GpuDevice, step: GpuStep): Promise<void> {
  return unlessLost(gpu, () => step.submit());
}
