// The test page's script (test.html in .cache/web-test/): exposes the page-side client and
// the official openai SDK, bundled for the browser, so tests drive them with page.evaluate.
import OpenAI from 'openai';
import { connectBasert, type BasertTab, type ConnectOptions } from '../../runtimes/browser/client.ts';
import type { HostEvent } from '../../runtimes/browser/events.ts';

/** How a chat request ended, as the SDK reported it (never rejects). */
export interface RunResult {
  ok: boolean;
  text: string;
  /** Chunks received (streams). */
  chunks: number;
  status: number | null;
  code: string | null;
  message: string;
}

export interface TestApi {
  /** A chat completion through the SDK, streamed or whole. */
  run(body: object, stream: boolean): Promise<RunResult>;
  /** Requests started by tests and awaited later. */
  inflight: Promise<RunResult>[];
  connect(params?: Record<string, string>): Promise<{ mode: string; reason: string }>;
  tab(): BasertTab;
  sdk(): OpenAI;
  events: HostEvent[];
}

declare global {
  interface Window {
    basert: TestApi;
  }
}

let tab: BasertTab | null = null;
const events: HostEvent[] = [];

async function run(body: object, stream: boolean): Promise<RunResult> {
  const sdk = window.basert.sdk();
  let text = '';
  let chunks = 0;
  try {
    if (stream) {
      const s = await sdk.chat.completions.create({ ...body, stream: true } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
      for await (const c of s) {
        chunks++;
        text += c.choices[0]?.delta?.content ?? '';
      }
    } else {
      const r = await sdk.chat.completions.create({ ...body, stream: false } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
      text = r.choices[0].message.content ?? '';
    }
    return { ok: true, text, chunks, status: null, code: null, message: '' };
  } catch (e) {
    const err = e as { status?: number; code?: string; message?: string };
    return { ok: false, text, chunks, status: err.status ?? null, code: err.code ?? null, message: err.message ?? String(e) };
  }
}

window.basert = {
  run,
  inflight: [],
  events,
  async connect(params) {
    const opts: ConnectOptions = { params, onEvent: (e) => events.push(e) };
    tab = await connectBasert(opts);
    return { mode: tab.mode, reason: tab.reason };
  },
  tab: () => tab!,
  sdk: () => new OpenAI({ baseURL: `${location.origin}/v1`, apiKey: 'sk-none', dangerouslyAllowBrowser: true, maxRetries: 0 }),
};
