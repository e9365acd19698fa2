// Collects what one push()/finish() of a tool-call parser produces: content text and
// OpenAI-shaped tool-call deltas. Whitespace next to a call is not content: a run of
// whitespace is held until the next visible character, dropped when a call starts right
// after it or when it directly follows a call, so "Let me check.\n\n<tool_call>…" gives
// the content "Let me check." and a reply made only of calls gives "".
import type { ParsedChunk, ToolCallDelta } from './parser-types.ts';

const WS = ' \t\n\r';

export class ChunkSink {
  private content = '';
  private deltas: ToolCallDelta[] = [];
  /** Whitespace held since the last visible content character. */
  private ws = '';
  /** The last thing emitted was a tool call (so held whitespace is dropped). */
  private afterCall = false;
  private numCalls = 0;
  /** The call being streamed, or undefined when none is open. */
  private openCall: { index: number } | undefined;

  constructor(private readonly newId: () => string) {}

  get sawToolCall(): boolean {
    return this.numCalls > 0;
  }

  /** Content subject to the whitespace rule above. */
  text(s: string): void {
    for (const ch of s) {
      if (WS.includes(ch)) {
        this.ws += ch;
        continue;
      }
      if (!this.afterCall) this.content += this.ws;
      this.ws = '';
      this.afterCall = false;
      this.content += ch;
    }
  }

  /** Content exactly as given (text of a call that turned out not to be one). */
  verbatim(s: string): void {
    if (s === '') return;
    if (!this.afterCall) this.content += this.ws;
    this.content += s;
    this.ws = '';
    this.afterCall = false;
  }

  /** Takes the held whitespace (for a call that may yet be rejected); '' right after a call. */
  takeWhitespace(): string {
    const ws = this.afterCall ? '' : this.ws;
    this.ws = '';
    return ws;
  }

  /** End of output: held whitespace is content unless it trails a call. */
  end(): void {
    if (!this.afterCall) this.content += this.ws;
    this.ws = '';
  }

  /** Opens a call: the first delta carries index, id, type, name and empty arguments. */
  startCall(name: string, id?: string): void {
    this.ws = '';
    const index = this.numCalls++;
    this.openCall = { index };
    this.deltas.push({ index, id: id ?? this.newId(), type: 'function', function: { name, arguments: '' } });
  }

  /** Appends arguments text to the open call; fragments of one push share one delta. */
  args(fragment: string): void {
    if (fragment === '' || this.openCall === undefined) return;
    const { index } = this.openCall;
    const last = this.deltas[this.deltas.length - 1];
    if (last !== undefined && last.index === index && last.id === undefined) last.function.arguments += fragment;
    else this.deltas.push({ index, function: { arguments: fragment } });
  }

  endCall(): void {
    this.openCall = undefined;
    this.ws = '';
    this.afterCall = true;
  }

  take(): ParsedChunk {
    const chunk = { content: this.content, toolCalls: this.deltas };
    this.content = '';
    this.deltas = [];
    return chunk;
  }
}
