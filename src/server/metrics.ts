// A small metrics registry: counters and histograms updated as requests finish, gauges
// read at scrape time. Rendered as Prometheus text (GET /metrics, exposition format
// 0.0.4) and as JSON (GET /v1/metrics): the same samples either way.

export type Labels = Readonly<Record<string, string>>;

interface Series<T> {
  labels: Labels;
  value: T;
}

const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

abstract class Metric<T> {
  protected readonly series = new Map<string, Series<T>>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  protected at(labels: Labels, init: () => T): Series<T> {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { labels, value: init() }));
    return s;
  }
  samples(): Series<T>[] {
    return [...this.series.values()];
  }
}

export class Counter extends Metric<number> {
  readonly type = 'counter';
  inc(labels: Labels = {}, by = 1): void {
    this.at(labels, () => 0).value += by;
  }
}

export interface HistogramValue {
  /** Cumulative counts per upper bound, as Prometheus exposes them. */
  buckets: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric<HistogramValue> {
  readonly type = 'histogram';
  constructor(name: string, help: string, readonly bounds: readonly number[]) {
    super(name, help);
  }
  observe(labels: Labels, v: number): void {
    const s = this.at(labels, () => ({ buckets: this.bounds.map(() => 0), sum: 0, count: 0 })).value;
    this.bounds.forEach((b, i) => {
      if (v <= b) s.buckets[i]++;
    });
    s.sum += v;
    s.count++;
  }
}

export class Gauge {
  readonly type = 'gauge';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: () => Iterable<[Labels, number]>,
  ) {}
  samples(): Series<number>[] {
    return [...this.collect()].map(([labels, value]) => ({ labels, value }));
  }
}

type AnyMetric = Counter | Histogram | Gauge;

export interface MetricJson {
  type: string;
  help: string;
  bounds?: number[];
  samples: { labels: Labels; value: number | HistogramValue }[];
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const fmtLabels = (l: Labels, extra?: [string, string]) => {
  const all = Object.entries(l).concat(extra ? [extra] : []);
  return all.length ? `{${all.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
};
const fmtNum = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN');

export class MetricsRegistry {
  private readonly metrics: AnyMetric[] = [];

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }
  histogram(name: string, help: string, bounds: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, bounds));
  }
  gauge(name: string, help: string, collect: () => Iterable<[Labels, number]>): Gauge {
    return this.add(new Gauge(name, help, collect));
  }

  prometheus(): string {
    const lines: string[] = [];
    for (const m of this.metrics) {
      lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
      if (m instanceof Histogram) {
        for (const s of m.samples()) {
          m.bounds.forEach((b, i) => lines.push(`${m.name}_bucket${fmtLabels(s.labels, ['le', fmtNum(b)])} ${s.value.buckets[i]}`));
          lines.push(`${m.name}_bucket${fmtLabels(s.labels, ['le', '+Inf'])} ${s.value.count}`);
          lines.push(`${m.name}_sum${fmtLabels(s.labels)} ${fmtNum(s.value.sum)}`, `${m.name}_count${fmtLabels(s.labels)} ${s.value.count}`);
        }
      } else {
        for (const s of m.samples()) lines.push(`${m.name}${fmtLabels(s.labels)} ${fmtNum(s.value)}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  /** Histograms carry `bounds` (the buckets' upper limits, +Inf left out). */
  json(): Record<string, MetricJson> {
    const out: Record<string, MetricJson> = {};
    for (const m of this.metrics) {
      out[m.name] = m instanceof Histogram
        ? { type: m.type, help: m.help, bounds: [...m.bounds], samples: m.samples().map((s) => ({ labels: s.labels, value: { ...s.value, buckets: [...s.value.buckets] } })) }
        : { type: m.type, help: m.help, samples: m.samples() };
    }
    return out;
  }

  private add<M extends AnyMetric>(m: M): M {
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.metrics.push(m);
    return m;
  }
}
