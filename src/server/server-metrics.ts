// basert's metrics: what every request adds when it ends, and the engines' own figures
// (running/waiting requests, KV blocks, prefix-cache hits) read at scrape time.
import type { ModelRegistry } from '../engine/model-registry.ts';
import type { EngineStats } from '../engine/types.ts';
import { MetricsRegistry, type Counter, type Histogram, type Labels } from './metrics.ts';

/** Seconds: time to first token and whole requests. */
const LATENCY_BOUNDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds per output token after the first. */
const TOKEN_BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class ServerMetrics {
  readonly registry = new MetricsRegistry();
  private readonly requests: Counter;
  private readonly promptTokens: Counter;
  private readonly generationTokens: Counter;
  private readonly cachedPromptTokens: Counter;
  private readonly ttft: Histogram;
  private readonly tpot: Histogram;
  private readonly duration: Histogram;

  constructor(models: Pick<ModelRegistry, 'list' | 'peek'>) {
    const r = this.registry;
    this.requests = r.counter('basert_requests_total', 'HTTP requests answered, by route and status.');
    this.promptTokens = r.counter('basert_prompt_tokens_total', 'Prompt tokens processed.');
    this.generationTokens = r.counter('basert_generation_tokens_total', 'Tokens generated.');
    this.cachedPromptTokens = r.counter('basert_cached_prompt_tokens_total', 'Prompt tokens served from the prefix cache.');
    this.ttft = r.histogram('basert_time_to_first_token_seconds', 'Time from request arrival to the first generated token.', LATENCY_BOUNDS);
    this.tpot = r.histogram('basert_time_per_output_token_seconds', 'Mean time per generated token after the first, per request.', TOKEN_BOUNDS);
    this.duration = r.histogram('basert_request_duration_seconds', 'Time from request arrival to its last byte (generation requests).', LATENCY_BOUNDS);
    const perEngine = (f: (s: EngineStats) => number) => (): [Labels, number][] =>
      models.list().flatMap((m) => {
        const loaded = models.peek(m.id);
        return loaded ? [[{ model: m.id }, f(loaded.engine.stats())]] : [];
      });
    r.gauge('basert_requests_running', 'Requests in the engine now.', perEngine((s) => s.running));
    r.gauge('basert_requests_waiting', 'Requests queued for the engine.', perEngine((s) => s.waiting));
    r.gauge('basert_kv_cache_usage_ratio', 'Fraction of KV blocks in use.', perEngine((s) => (s.kvBlocksTotal ? s.kvBlocksUsed / s.kvBlocksTotal : 0)));
    r.gauge('basert_prefix_cache_queries_tokens', 'Prompt tokens looked up in the prefix cache since load.', perEngine((s) => s.prefixQueryTokens));
    r.gauge('basert_prefix_cache_hits_tokens', 'Prompt tokens found in the prefix cache since load.', perEngine((s) => s.prefixHitTokens));
    r.gauge('basert_engine_preemptions', 'Requests preempted for lack of KV blocks since load.', perEngine((s) => s.preemptions));
    r.gauge('basert_model_loaded', '1 for each loaded model, 0 for registered ones.', () =>
      models.list().map((m): [Labels, number] => [{ model: m.id }, m.status === 'loaded' ? 1 : 0]));
    r.gauge('basert_model_memory_bytes', 'Device bytes a loaded model holds (weights + KV cache).', () =>
      models.list().flatMap((m): [Labels, number][] => (m.memoryBytes === null ? [] : [[{ model: m.id }, m.memoryBytes]])));
  }

  request(route: string, status: number): void {
    this.requests.inc({ route, status: String(status) });
  }

  /** One finished generation request. Times in seconds; ttft null when nothing was generated. */
  generation(model: string, g: { promptTokens: number; completionTokens: number; cachedTokens: number; ttft: number | null; total: number }): void {
    const l = { model };
    this.promptTokens.inc(l, g.promptTokens);
    this.generationTokens.inc(l, g.completionTokens);
    this.cachedPromptTokens.inc(l, g.cachedTokens);
    this.duration.observe(l, g.total);
    if (g.ttft !== null) this.ttft.observe(l, g.ttft);
    if (g.ttft !== null && g.completionTokens > 1) this.tpot.observe(l, (g.total - g.ttft) / (g.completionTokens - 1));
  }
}
