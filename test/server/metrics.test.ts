// The metrics registry's Prometheus text and JSON agree, with cumulative buckets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricsRegistry } from '../../src/server/metrics.ts';

test('metrics: counters, histograms, gauges as Prometheus text and JSON', () => {
  const r = new MetricsRegistry();
  const c = r.counter('x_total', 'Things.');
  const h = r.histogram('lat_seconds', 'Latency.', [0.1, 1]);
  let running = 3;
  r.gauge('running', 'Now.', () => [[{ model: 'a"b' }, running]]);
  c.inc({ route: '/v1/x', status: '200' });
  c.inc({ status: '200', route: '/v1/x' }, 2); // label order does not matter
  h.observe({}, 0.05);
  h.observe({}, 0.5);
  h.observe({}, 5);
  running = 4;
  const text = r.prometheus();
  assert.match(text, /# TYPE x_total counter\nx_total\{route="\/v1\/x",status="200"\} 3\n/);
  assert.match(text, /lat_seconds_bucket\{le="0.1"\} 1\nlat_seconds_bucket\{le="1"\} 2\nlat_seconds_bucket\{le="\+Inf"\} 3\nlat_seconds_sum 5.55\nlat_seconds_count 3\n/);
  assert.match(text, /running\{model="a\\"b"\} 4\n/);
  const json = r.json();
  assert.deepEqual(json.lat_seconds.bounds, [0.1, 1]);
  assert.deepEqual(json.lat_seconds.samples[0].value, { buckets: [1, 2], sum: 5.55, count: 3 });
  assert.equal(json.x_total.samples[0].value, 3);
  assert.throws(() => r.counter('x_total', 'again'), /twice/);
});
