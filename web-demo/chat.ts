// The chat page: model picker (GET /v1/models, /v1/models/status; POST /v1/models/load),
// load progress (the host's events), a streamed chat through the openai SDK with a stop
// button and tokens/s, and the adapter's name and features. body[data-state] says what
// the page is doing (starting, idle, loading, generating, error): tests wait on it.
import { APIUserAbortError } from 'openai';
import type OpenAI from 'openai';
import type { BasertTab } from '../runtimes/browser/client.ts';
import type { HostEvent } from '../runtimes/browser/events.ts';
import type { HostInfo } from '../runtimes/browser/host.ts';
import { $, connect, formatBytes, openai } from './connect.ts';

type State = 'starting' | 'idle' | 'loading' | 'generating' | 'error';
interface ModelStatusRow { id: string; status: string; memory_bytes: number | null; last_error: string | null }

const client = openai();
const history: OpenAI.Chat.ChatCompletionMessageParam[] = [];
let tab: BasertTab | null = null;
let abort: AbortController | null = null;

const setState = (s: State) => {
  document.body.dataset.state = s;
  const busy = s === 'loading' || s === 'generating' || s === 'starting';
  $<HTMLButtonElement>('send').disabled = busy || !$<HTMLSelectElement>('model').value;
  $<HTMLButtonElement>('load').disabled = busy || !$<HTMLSelectElement>('model').value;
  $<HTMLButtonElement>('stop').disabled = s !== 'generating';
};
const showError = (msg: string) => ($('error').textContent = msg);

function showInfo(info: HostInfo): void {
  const a = info.adapter;
  if (a) {
    const name = [a.vendor, a.architecture, a.device || a.description].filter(Boolean).join(' · ');
    const names = { f16: 'shader-f16', subgroups: 'subgroups', timestamp: 'timestamp-query' } as const;
    const feats = (Object.keys(names) as (keyof typeof names)[]).map((k) => `${names[k]} ${a.features[k] ? '✓' : '✗'}`).join(', ');
    $('adapter').textContent = `${name || 'unknown adapter'} — ${feats}; largest binding ${formatBytes(a.maxStorageBufferBindingSize)}`;
  } else {
    $('adapter').textContent = 'none';
  }
  if (info.gpuError) showError(info.gpuError);
  $('notes').textContent = info.notes.join(' ');
}

function onEvent(e: HostEvent): void {
  if (e.type === 'progress') {
    const bar = $<HTMLProgressElement>('progress');
    bar.hidden = e.phase === 'ready' || e.phase === 'failed';
    bar.value = e.bytesTotal ? e.bytesDone / e.bytesTotal : 0;
    const what = { download: 'downloading', copy: 'storing', load: 'loading onto the GPU', ready: 'ready', failed: 'failed' }[e.phase];
    $('progress-text').textContent = e.phase === 'failed'
      ? `${e.model}: ${e.message}`
      : `${e.model}: ${what}${e.bytesTotal && e.phase !== 'ready' ? ` ${formatBytes(e.bytesDone)} / ${formatBytes(e.bytesTotal)}` : ''}`;
    if (e.phase === 'failed') showError(`${e.model} failed to load: ${e.message}`);
  } else if (e.state === 'lost') {
    showError(`${e.message}. Reloading ${e.models.join(', ') || 'the model'}…`);
  } else if (e.state === 'restored') {
    showError('');
    $('notes').textContent = `The GPU device was lost and ${e.models.join(', ')} reloaded on a new one.`;
  } else if (e.state === 'reload-failed' || e.state === 'unavailable') {
    showError(e.message);
  } else if (e.state === 'ready') {
    $('notes').textContent = e.notes.join(' ');
  }
}

async function refreshModels(select?: string): Promise<void> {
  const [list, status] = await Promise.all([
    client.models.list(),
    client.get<{ data: ModelStatusRow[] }>('/models/status'),
  ]);
  const sel = $<HTMLSelectElement>('model');
  const keep = select ?? sel.value;
  sel.replaceChildren(...list.data.map((m) => {
    const row = status.data.find((s) => s.id === m.id);
    return new Option(`${m.id}${row ? ` (${row.status})` : ''}`, m.id);
  }));
  if (keep && list.data.some((m) => m.id === keep)) sel.value = keep;
  sel.disabled = list.data.length === 0;
  const row = status.data.find((s) => s.id === sel.value);
  $('model-status').textContent = row ? `${row.status}${row.memory_bytes ? `, ${formatBytes(row.memory_bytes)} on the GPU` : ''}${row.last_error ? ` — last error: ${row.last_error}` : ''}` : '';
  if (list.data.length === 0) $('model-status').textContent = 'no models: pick a GGUF file from disk';
}

async function loadSelected(): Promise<void> {
  const model = $<HTMLSelectElement>('model').value;
  setState('loading');
  showError('');
  try {
    await client.post('/models/load', { body: { model } });
  } catch (e) {
    showError(`loading ${model} failed: ${(e as Error).message}`);
  }
  await refreshModels();
  setState('idle');
}

function addMessage(role: 'user' | 'assistant', text: string): HTMLElement {
  const el = document.createElement('div');
  el.className = `msg ${role}`;
  el.textContent = text;
  $('log').append(el);
  return el;
}

async function send(): Promise<void> {
  const model = $<HTMLSelectElement>('model').value;
  const text = $<HTMLTextAreaElement>('prompt').value.trim();
  if (!model || !text) return;
  history.push({ role: 'user', content: text });
  addMessage('user', text);
  const el = addMessage('assistant', '');
  el.id = 'answer';
  document.querySelectorAll('#log .msg.assistant[id="answer"]').forEach((x) => x !== el && x.removeAttribute('id'));
  const reasoningEl = document.createElement('span');
  reasoningEl.className = 'reasoning';
  const contentEl = document.createElement('span');
  contentEl.className = 'content';
  el.replaceChildren(reasoningEl, contentEl);
  setState('generating');
  showError('');
  abort = new AbortController();
  const started = performance.now();
  let first = 0;
  let tokens = 0;
  let content = '';
  const stats = () => {
    const secs = (performance.now() - (first || started)) / 1000;
    $('stats').textContent = `${tokens} tokens, ${first ? `${(tokens > 1 ? (tokens - 1) / secs : 0).toFixed(1)} tokens/s, ` : ''}first token ${first ? `${((first - started) / 1000).toFixed(2)} s` : '…'}`;
  };
  try {
    const stream = await client.chat.completions.create({
      model,
      messages: history,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: Number($<HTMLInputElement>('max-tokens').value) || 32,
      temperature: Number($<HTMLInputElement>('temperature').value),
    }, { signal: abort.signal });
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string | null; reasoning_content?: string | null } | undefined;
      if (delta?.content || delta?.reasoning_content) {
        if (!first) first = performance.now();
        tokens++;
      }
      if (delta?.reasoning_content) reasoningEl.textContent += delta.reasoning_content;
      if (delta?.content) contentEl.textContent = content += delta.content;
      if (chunk.usage) tokens = chunk.usage.completion_tokens;
      stats();
    }
    // The SDK ends a stream aborted mid-way quietly (and throws when aborted before it).
    if (abort.signal.aborted) el.append(' [stopped]');
    history.push({ role: 'assistant', content });
  } catch (e) {
    if (e instanceof APIUserAbortError) {
      el.append(' [stopped]');
      history.push({ role: 'assistant', content });
    } else {
      el.classList.add('failed');
      showError(`the request failed: ${(e as Error).message}`);
      history.pop();
    }
  } finally {
    abort = null;
    stats();
    setState('idle');
    void refreshModels();
  }
}

async function pickFile(file: File): Promise<void> {
  if (!tab) return;
  setState('loading');
  showError('');
  try {
    const { id } = await tab.addFile(file);
    await refreshModels(id);
    await loadSelected();
  } catch (e) {
    showError(`${file.name}: ${(e as Error).message}`);
    setState('idle');
  }
}

async function main(): Promise<void> {
  $('model').addEventListener('change', () => void refreshModels());
  $('load').addEventListener('click', () => void loadSelected());
  $('send').addEventListener('click', () => void send());
  $('stop').addEventListener('click', () => abort?.abort());
  $('prompt').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      if (!$<HTMLButtonElement>('send').disabled) void send();
    }
  });
  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void pickFile(f);
  });
  // File System Access where the browser has it; the file input works everywhere.
  const picker = (window as { showOpenFilePicker?: (o: object) => Promise<{ getFile(): Promise<File> }[]> }).showOpenFilePicker;
  if (picker) {
    $('open').hidden = false;
    $('open').addEventListener('click', async () => {
      try {
        const [handle] = await picker({ types: [{ description: 'GGUF model', accept: { 'application/octet-stream': ['.gguf'] } }] });
        await pickFile(await handle.getFile());
      } catch (e) {
        if ((e as Error).name !== 'AbortError') showError((e as Error).message);
      }
    });
  }
  if (!('gpu' in navigator)) showError('This browser has no WebGPU (navigator.gpu is missing): use Chrome or Edge 113+, Safari 26, or enable WebGPU in the browser flags.');
  tab = await connect(onEvent);
  $('mode').textContent = tab.mode === 'service-worker'
    ? 'runs in the service worker'
    : `runs in this page's worker, relayed by the service worker (${tab.reason})`;
  const info = await tab.info();
  showInfo(info);
  await refreshModels();
  setState('idle');
}

main().catch((e: unknown) => {
  showError(`basert could not start: ${(e as Error)?.message ?? e}`);
  setState('error');
});
