// Server-Sent Events as OpenAI streams them: one `data: <json>` event per chunk, then
// `data: [DONE]`. The body is pulled chunk by chunk, so a slow client holds the generator
// back instead of growing a buffer; a client that goes away cancels the body, which runs
// `onCancel` (the route aborts its generation there).

export interface SseOptions {
  /** The client went away before the end. */
  onCancel(): void;
  /** After the last byte (or the cancel): release leases, write the access log. */
  onEnd?(): void;
  /** An error thrown by `events` mid-stream: the JSON to send before [DONE]. */
  errorEvent(e: unknown): unknown;
}

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Reverse proxies (nginx) must not buffer the stream.
  'x-accel-buffering': 'no',
};

const endings = new WeakMap<Response, Promise<void>>();

/** For a response from sseResponse: settles after its last byte or its cancel. */
export function sseEnded(res: Response): Promise<void> | undefined {
  return endings.get(res);
}

export function sseResponse(events: AsyncIterable<unknown>, opts: SseOptions, headers: Record<string, string> = {}): Response {
  const enc = new TextEncoder();
  const it = events[Symbol.asyncIterator]();
  let ended = false;
  let markEnded!: () => void;
  const ending = new Promise<void>((r) => (markEnded = r));
  const end = () => {
    if (ended) return;
    ended = true;
    try {
      opts.onEnd?.();
    } finally {
      markEnded();
    }
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = await it.next();
        if (!r.done) return controller.enqueue(enc.encode(`data: ${JSON.stringify(r.value)}\n\n`));
        controller.enqueue(enc.encode('data: [DONE]\n\n'));
      } catch (e) {
        controller.enqueue(enc.encode(`data: ${JSON.stringify(opts.errorEvent(e))}\n\n`));
        controller.enqueue(enc.encode('data: [DONE]\n\n'));
      }
      controller.close();
      end();
    },
    async cancel() {
      opts.onCancel();
      try {
        await it.return?.();
      } finally {
        end();
      }
    },
  }, { highWaterMark: 0 });
  const res = new Response(body, { status: 200, headers: { ...SSE_HEADERS, ...headers } });
  endings.set(res, ending);
  return res;
}
