// Bind groups reused across steps. A decode step records the same ~200 dispatches over
// the same pooled buffers every time, and creating a bind group costs ~12 µs of CPU on
// Dawn (lavapipe, Node): most of a step's encoding time. A group is keyed by its
// pipeline and the exact (buffer, offset, size) of every entry, so a hit is the group
// createBindGroup would have built. Buffers are told apart by identity (ids handed out on
// first sight), so a destroyed buffer's groups can never be hit by a new buffer; they
// age out of the LRU bound.

let nextId = 1;
const ids = new WeakMap<object, number>();
function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = nextId++));
  return id;
}

export class BindGroupCache {
  private readonly groups = new Map<string, GPUBindGroup>();
  private readonly layouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly device: GPUDevice,
    /** Groups kept (least recently used dropped first): a few steps' worth. */
    private readonly capacity = 4096,
  ) {}

  get size(): number {
    return this.groups.size;
  }

  /** The bind group for `pipeline` with `buffers` at bindings 0.., built once. */
  get(pipeline: GPUComputePipeline, buffers: readonly GPUBufferBinding[]): GPUBindGroup {
    let key = String(idOf(pipeline));
    for (const b of buffers) key += `|${idOf(b.buffer)}:${b.offset ?? 0}:${b.size ?? -1}`;
    let group = this.groups.get(key);
    if (group) {
      this.hits++;
      this.groups.delete(key); // re-insert: Map order is the LRU order
      this.groups.set(key, group);
      return group;
    }
    this.misses++;
    let layout = this.layouts.get(pipeline);
    if (!layout) this.layouts.set(pipeline, (layout = pipeline.getBindGroupLayout(0)));
    group = this.device.createBindGroup({ layout, entries: buffers.map((resource, binding) => ({ binding, resource })) });
    this.groups.set(key, group);
    if (this.groups.size > this.capacity) this.groups.delete(this.groups.keys().next().value!);
    return group;
  }

  clear(): void {
    this.groups.clear();
  }
}
