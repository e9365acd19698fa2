// What one request did, filled in as it runs and read when it ends: the access-log line
// and the metrics. A streamed response ends after the handler returns, so the route
// hands over a promise for its last byte (`until`).

export class RequestRecord {
  model: string | null = null;
  promptTokens = 0;
  completionTokens = 0;
  private ends: Promise<unknown>[] = [];

  constructor(
    readonly method: string,
    readonly path: string,
    readonly client: string,
    /** ms (the app's clock) when the request arrived. */
    readonly start: number,
  ) {}

  /** The request is not over before `p` settles (a streamed body's end). */
  until(p: Promise<unknown>): void {
    this.ends.push(p);
  }

  /** Settles when everything handed to until() has. */
  finished(): Promise<void> {
    return Promise.allSettled(this.ends).then(() => {});
  }
}

/** `2025-01-01T00:00:00.000Z 127.0.0.1 "POST /v1/chat/completions" 200 model=m tokens=12+8 35ms` */
export function accessLogLine(r: RequestRecord, status: number, now: number): string {
  const model = r.model === null ? '-' : r.model;
  const tokens = r.promptTokens || r.completionTokens ? `${r.promptTokens}+${r.completionTokens}` : '-';
  return `${new Date(now).toISOString()} ${r.client} "${r.method} ${r.path}" ${status} model=${model} tokens=${tokens} ${Math.round(now - r.start)}ms`;
}
