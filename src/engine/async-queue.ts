// A single-consumer queue that is also an async iterator: the engine pushes outputs as
// steps finish, the caller awaits them. close() ends iteration after what is queued;
// fail() makes the next read throw.

export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  private closed = false;
  private error: { e: unknown } | null = null;

  /** `onReturn`: called when the consumer stops iterating early. */
  constructor(private readonly onReturn?: () => void) {}

  push(item: T): void {
    if (this.closed) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve({ value: item, done: false });
    } else this.items.push(item);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.waiter && this.items.length === 0) {
      const w = this.waiter;
      this.waiter = null;
      if (this.error) w.reject(this.error.e);
      else w.resolve({ value: undefined, done: true });
    }
  }

  fail(e: unknown): void {
    if (this.closed) return;
    this.error = { e };
    this.close();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.closed) return this.error ? Promise.reject(this.error.e) : Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** The consumer stopped early (break in for-await): drop what is queued. */
  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    const early = !this.closed;
    this.closed = true;
    if (early) this.onReturn?.();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
