// Reuses GPU buffers by (usage, size class) so a steady-state step allocates nothing.
// Size classes: powers of two up to 1 MiB, then whole MiB, so waste stays under ~2x
// for small buffers and under 1 MiB for large ones.

const MIB = 1 << 20;

export function sizeClass(bytes: number): number {
  const n = Math.max(256, Math.ceil(bytes / 4) * 4);
  if (n <= MIB) return 1 << Math.ceil(Math.log2(n));
  return Math.ceil(n / MIB) * MIB;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly live = new Set<GPUBuffer>();
  /** Bytes currently handed out plus bytes kept for reuse. */
  allocatedBytes = 0;

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number, usage: GPUBufferUsageFlags, label?: string): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(`${usage}:${size}`);
    const buf = list?.pop() ?? this.create(size, usage, label);
    this.live.add(buf);
    return buf;
  }

  release(buf: GPUBuffer): void {
    if (!this.live.delete(buf)) return;
    const key = `${buf.usage}:${buf.size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buf);
  }

  /** Frees the buffers kept for reuse (not those handed out). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) this.dispose(b);
    this.free.clear();
  }

  destroy(): void {
    this.trim();
    for (const b of this.live) this.dispose(b);
    this.live.clear();
  }

  private create(size: number, usage: GPUBufferUsageFlags, label?: string): GPUBuffer {
    this.allocatedBytes += size;
    return this.device.createBuffer({ size, usage, label });
  }

  private dispose(b: GPUBuffer): void {
    this.allocatedBytes -= b.size;
    b.destroy();
  }
}
