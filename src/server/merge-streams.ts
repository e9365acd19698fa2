// Several async streams read as one, items tagged with their stream's index, in arrival
// order. Closing the merged stream early closes every source (aborting their requests).

export async function* mergeStreams<T>(sources: readonly AsyncIterable<T>[]): AsyncGenerator<[number, T]> {
  const its = sources.map((s) => s[Symbol.asyncIterator]());
  const next = (i: number) => its[i].next().then((r) => ({ i, r }));
  const pending = new Map(its.map((_, i) => [i, next(i)] as const));
  try {
    while (pending.size) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(i);
        continue;
      }
      pending.set(i, next(i));
      yield [i, r.value];
    }
  } finally {
    await Promise.all([...pending.keys()].map((i) => its[i].return?.()).filter(Boolean));
  }
}
