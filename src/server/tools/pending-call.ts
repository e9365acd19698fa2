// A JSON-object tool call being read (see call-object.ts), wired to the sink: the call is
// opened (id, name) once its name is read and is one of the request's tools, and its
// arguments stream from then on. Until it opens, its text is kept so that a call that
// turns out to be no call (unknown name, no name, bad JSON) can be given back as content.
import { CallObjectParser } from './call-object.ts';
import type { ChunkSink } from './chunk-sink.ts';

/**
 * 'reject': not a call; the caller releases `raw` as content and reads this character as
 *           content (it was not consumed).
 * 'broken': the JSON broke after the call was opened; the call was closed with arguments
 *           completed to valid JSON, and this character was not consumed.
 */
export type PendingCallStep = 'more' | 'done' | 'reject' | 'broken';

export class PendingCall {
  private readonly obj = new CallObjectParser();
  private opened = false;
  private sent = 0;

  /** `raw`: text that introduced the call (marker, whitespace), given back with it on rejection. */
  constructor(private readonly sink: ChunkSink, private readonly toolNames: ReadonlySet<string>, public raw: string) {}

  push(ch: string): PendingCallStep {
    const step = this.obj.push(ch);
    if (step === 'error') {
      if (!this.opened) return 'reject';
      this.close();
      return 'broken';
    }
    if (!this.opened) {
      const name = this.obj.name;
      if (name === undefined) {
        if (step === 'done') return 'reject';
        this.raw += ch;
        return 'more';
      }
      if (!this.toolNames.has(name)) return 'reject';
      this.sink.startCall(name);
      this.opened = true;
    }
    this.sendArgs();
    if (step === 'done') {
      this.close();
      return 'done';
    }
    return 'more';
  }

  /** The reply ended inside this call: close it if opened, else give its text back as content. */
  end(): void {
    if (this.opened) this.close();
    else this.sink.verbatim(this.raw);
  }

  private sendArgs(): void {
    this.sink.args(this.obj.args.slice(this.sent));
    this.sent = this.obj.args.length;
  }

  private close(): void {
    this.sendArgs();
    this.sink.args(this.obj.argsCloser());
    this.sink.endCall();
  }
}
