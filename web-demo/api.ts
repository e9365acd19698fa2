// The raw API page: every endpoint the tab serves, as the curl command that sends the same
// request and the status, headers and body that came back (an SSE stream as its raw
// events). Plain fetch on purpose: this page shows the wire, the chat page the SDK.
import { $, connect, openai } from './connect.ts';

interface Endpoint {
  title: string;
  method: 'GET' | 'POST';
  path: string;
  body?: (model: string) => unknown;
}

const ENDPOINTS: Endpoint[] = [
  { title: 'health', method: 'GET', path: '/health' },
  { title: 'list models', method: 'GET', path: '/v1/models' },
  { title: 'model status', method: 'GET', path: '/v1/models/status' },
  { title: 'load a model', method: 'POST', path: '/v1/models/load', body: (model) => ({ model }) },
  { title: 'chat completion', method: 'POST', path: '/v1/chat/completions', body: (model) => ({ model, messages: [{ role: 'user', content: 'Hello!' }], max_tokens: 8, temperature: 0 }) },
  {
    title: 'chat completion, streamed', method: 'POST', path: '/v1/chat/completions',
    body: (model) => ({ model, messages: [{ role: 'user', content: 'Hello!' }], max_tokens: 8, temperature: 0, stream: true, stream_options: { include_usage: true } }),
  },
  { title: 'text completion', method: 'POST', path: '/v1/completions', body: (model) => ({ model, prompt: 'Once upon a time', max_tokens: 8, temperature: 0 }) },
  { title: 'tokenize', method: 'POST', path: '/v1/tokenize', body: (model) => ({ model, prompt: 'Hello, world!' }) },
  { title: 'detokenize', method: 'POST', path: '/v1/detokenize', body: (model) => ({ model, tokens: [9707, 11, 1879, 0] }) },
  { title: 'embeddings (501: basert runs decoders)', method: 'POST', path: '/v1/embeddings', body: (model) => ({ model, input: 'Hello' }) },
  { title: 'metrics (JSON)', method: 'GET', path: '/v1/metrics' },
  { title: 'unload the model', method: 'POST', path: '/v1/models/unload', body: (model) => ({ model }) },
];

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function curlFor(e: Endpoint, model: string): string {
  const body = e.body?.(model);
  const stream = (body as { stream?: boolean } | undefined)?.stream;
  const lines = [`curl${stream ? ' -N' : ''} "$BASE${e.path}"`];
  if (body !== undefined) lines.push(`-H 'Content-Type: application/json'`, `-d ${shellQuote(JSON.stringify(body))}`);
  return lines.join(' \\\n  ');
}

async function run(e: Endpoint, out: HTMLElement): Promise<void> {
  const model = $<HTMLSelectElement>('model').value;
  const body = e.body?.(model);
  out.textContent = '…';
  const t0 = performance.now();
  try {
    const res = await fetch(e.path, {
      method: e.method,
      ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const head = [`HTTP ${res.status} ${res.statusText}`, ...[...res.headers].map(([k, v]) => `${k}: ${v}`)].join('\n');
    let text = await res.text();
    if ((res.headers.get('content-type') ?? '').includes('json')) text = JSON.stringify(JSON.parse(text), null, 2);
    out.textContent = `${head}\n\n${text}\n\n(${Math.round(performance.now() - t0)} ms)`;
  } catch (err) {
    out.textContent = `request failed: ${(err as Error).message}`;
  }
}

function render(): (() => Promise<void>)[] {
  const runs: (() => Promise<void>)[] = [];
  const root = $('endpoints');
  root.replaceChildren();
  for (const e of ENDPOINTS) {
    const card = document.createElement('div');
    card.className = 'panel endpoint';
    card.innerHTML = `<h3>${e.title} — <code>${e.method} ${e.path}</code> <button>run</button></h3><pre class="curl"></pre><pre class="response muted">not run yet</pre>`;
    const curl = card.querySelector('.curl')!;
    const out = card.querySelector<HTMLElement>('.response')!;
    const update = () => (curl.textContent = curlFor(e, $<HTMLSelectElement>('model').value));
    update();
    $('model').addEventListener('change', update);
    const go = () => run(e, out);
    card.querySelector('button')!.addEventListener('click', () => void go());
    runs.push(go);
    root.append(card);
  }
  return runs;
}

async function main(): Promise<void> {
  await connect();
  const models = await openai().models.list();
  $<HTMLSelectElement>('model').replaceChildren(...models.data.map((m) => new Option(m.id, m.id)));
  const runs = render();
  $('run-all').addEventListener('click', async () => {
    document.body.dataset.state = 'running';
    for (const r of runs) await r();
    document.body.dataset.state = 'idle';
  });
  document.body.dataset.state = 'idle';
}

main().catch((e: unknown) => {
  $('error').textContent = `basert could not start: ${(e as Error)?.message ?? e}`;
  document.body.dataset.state = 'error';
});
