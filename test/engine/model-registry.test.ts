// The model registry with an injected loader (no GPU): models load on first use, once
// however many requests wait; leases keep idle unloads away; explicit unloads; failed
// loads leave the model registered with the error; close() unloads all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelRegistry, RegistryClosedError, UnknownModelError, type LoadedModel, type ModelSpec, type RegistryEvent } from '../../src/engine/model-registry.ts';

const spec = (id: string): ModelSpec => ({ id, source: `/models/${id}.gguf`, type: 'chat' });
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function loader(opts: { ms?: number; fail?: Set<string> } = {}) {
  const loads: string[] = [];
  const closes: string[] = [];
  const load = async (s: ModelSpec): Promise<LoadedModel> => {
    loads.push(s.id);
    await delay(opts.ms ?? 5);
    if (opts.fail?.has(s.id)) throw new Error(`cannot load ${s.id}`);
    // The engine is not used by the registry; it only hands it out.
    return { engine: { id: s.id } as never, memoryBytes: 1000, close: async () => void closes.push(s.id) };
  };
  return { load, loads, closes };
}

test('registry: registered -> loading -> loaded on first acquire; one load for concurrent requests', async () => {
  const l = loader({ ms: 20 });
  const events: RegistryEvent['kind'][] = [];
  const r = new ModelRegistry({ load: l.load, onEvent: (e) => events.push(e.kind) });
  r.register(spec('a'));
  r.register(spec('b'));
  assert.throws(() => r.register(spec('a')), /already registered/);
  assert.deepEqual(r.list().map((m) => [m.id, m.status, m.memoryBytes, m.uptimeSec]), [['a', 'registered', null, null], ['b', 'registered', null, null]]);
  const pending = [r.acquire('a'), r.acquire('a'), r.acquire('a')];
  assert.equal(r.list()[0].status, 'loading');
  const leases = await Promise.all(pending);
  assert.deepEqual(l.loads, ['a']);
  assert.equal(leases[0].loaded, leases[2].loaded);
  const a = r.list()[0];
  assert.equal(a.status, 'loaded');
  assert.equal(a.activeRequests, 3);
  assert.equal(a.memoryBytes, 1000);
  assert.ok(a.uptimeSec! >= 0);
  leases.forEach((x) => x.release());
  leases[0].release(); // twice is harmless
  assert.equal(r.list()[0].activeRequests, 0);
  assert.equal(r.memoryBytes(), 1000);
  await assert.rejects(r.acquire('nope'), UnknownModelError);
  assert.deepEqual(events, ['loading', 'loaded']);
});

test('registry: idle timeout unloads only models without leases, and they reload on use', async () => {
  const l = loader();
  const unloaded: string[] = [];
  const r = new ModelRegistry({ load: l.load, idleTimeoutMs: 40, onEvent: (e) => e.kind === 'unloaded' && unloaded.push(`${e.id}:${e.reason}`) });
  r.register(spec('a'));
  r.register(spec('b'));
  await r.load('a');
  const held = await r.acquire('b');
  await delay(100);
  assert.deepEqual(unloaded, ['a:idle'], 'b is leased');
  assert.equal(r.list()[1].status, 'loaded');
  held.release();
  await delay(100);
  assert.deepEqual(unloaded, ['a:idle', 'b:idle']);
  assert.deepEqual(r.list().map((m) => m.status), ['registered', 'registered']);
  const again = await r.acquire('a');
  assert.deepEqual(l.loads, ['a', 'b', 'a']);
  again.release();
  await r.close();
});

test('registry: explicit unload, failed loads, close', async () => {
  const l = loader({ fail: new Set(['bad']) });
  const r = new ModelRegistry({ load: l.load });
  r.register(spec('a'));
  r.register(spec('bad'));
  assert.equal(await r.unload('a'), false, 'not loaded');
  await r.load('a');
  assert.equal(await r.unload('a'), true);
  assert.deepEqual(l.closes, ['a']);
  assert.equal(r.peek('a'), undefined);
  await assert.rejects(r.acquire('bad'), /cannot load bad/);
  const bad = r.list()[1];
  assert.deepEqual([bad.status, bad.lastError, bad.activeRequests], ['registered', 'cannot load bad', 0]);
  // close() during a load: the load finishes, is unloaded, and waiters are refused.
  const loading = r.acquire('a');
  await r.close();
  await assert.rejects(loading, RegistryClosedError);
  assert.deepEqual(l.closes, ['a', 'a']);
  await assert.rejects(r.acquire('a'), RegistryClosedError);
});
