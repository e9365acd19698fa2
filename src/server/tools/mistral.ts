// Mistral calls after the [TOOL_CALLS] control token, in either of its two shapes:
//   [TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris"}}, {...}]   (v3 tokenizers: 7B v0.3, Nemo)
//   [TOOL_CALLS]get_weather[ARGS]{"city": "Paris"}[TOOL_CALLS]other[ARGS]{}     (v11+ tokenizers: Small 3.2, Magistral)
// the second optionally with [CALL_ID]<id> between the name and [ARGS], whose id is then
// the call's id. The server must keep control tokens in the text it feeds (no
// skip_special_tokens) or the marker is lost. Text around the calls is content. A call
// whose JSON breaks after it was opened is closed with valid arguments and what follows is
// dropped up to the next [TOOL_CALLS].
import type { ChunkSink } from './chunk-sink.ts';
import type { FormatMachine } from './format-machine.ts';
import { JsonScanner } from './json-scanner.ts';
import { MarkerFinder } from './marker-finder.ts';
import { PendingCall } from './pending-call.ts';

const TOOL_CALLS = '[TOOL_CALLS]';
const ARGS = '[ARGS]';
const CALL_ID = '[CALL_ID]';
const WS = ' \t\n\r';
const NAME_CHAR = /^[A-Za-z0-9_.-]$/;
/** OpenAI's limit on function names. */
const MAX_NAME = 64;

type State =
  | 'scan' | 'after-marker' | 'skip'
  | 'list' | 'call' | 'list-after' | 'list-next'   // list shape
  | 'name' | 'call-id' | 'args-start' | 'args';     // name[ARGS] shape

export class MistralMachine implements FormatMachine {
  private state: State = 'scan';
  private finder = new MarkerFinder([TOOL_CALLS]);
  /** Text since the marker, given back as content if this turns out to be no call. */
  private raw = '';
  private name = '';
  private callId = '';
  private call: PendingCall | undefined;
  private args = new JsonScanner();

  constructor(private readonly sink: ChunkSink, private readonly toolNames: ReadonlySet<string>) {}

  feed(ch: string): void {
    switch (this.state) {
      case 'scan': {
        const { text, marker } = this.finder.push(ch);
        this.sink.text(text);
        if (marker !== undefined) this.afterMarker(this.sink.takeWhitespace() + marker);
        return;
      }
      case 'skip':
        if (this.finder.push(ch).marker !== undefined) this.afterMarker(TOOL_CALLS);
        return;
      case 'after-marker':
        if (WS.includes(ch) || ch === '[') {
          this.raw += ch;
          if (ch === '[') this.state = 'list';
        } else if (NAME_CHAR.test(ch)) {
          this.name = '';
          this.to('name', [ARGS, CALL_ID]);
          this.feed(ch);
        } else this.reject(ch);
        return;
      case 'list':
        if (WS.includes(ch)) this.raw += ch;
        else if (ch === '{') this.startCall(this.raw, ch);
        else this.reject(ch);
        return;
      case 'call': {
        const step = this.call!.push(ch);
        if (step === 'done') this.state = 'list-after';
        else if (step === 'reject') {
          this.raw = this.call!.raw;
          this.reject(ch);
        } else if (step === 'broken') this.toSkip(ch);
        return;
      }
      case 'list-after':
      case 'list-next':
        if (WS.includes(ch)) return;
        if (this.state === 'list-after' && ch === ',') this.state = 'list-next';
        else if (this.state === 'list-after' && ch === ']') this.to('scan', [TOOL_CALLS]);
        else if (this.state === 'list-next' && ch === '{') this.startCall('', ch);
        else this.toSkip(ch);
        return;
      case 'name':
      case 'call-id':
        this.nameChar(ch);
        return;
      case 'args-start':
        if (WS.includes(ch)) return;
        if (ch === '{') {
          this.args = new JsonScanner();
          this.state = 'args';
          this.feed(ch);
        } else {
          this.sink.args('{}');
          this.sink.endCall();
          this.toSkip(ch);
        }
        return;
      case 'args': {
        const step = this.args.push(ch);
        if (step === 'more' || step === 'done') this.sink.args(ch);
        if (step === 'more') return;
        if (step !== 'done') this.sink.args(this.args.closer());
        this.sink.endCall();
        if (step === 'done') this.to('scan', [TOOL_CALLS]);
        else this.toSkip(ch);
        return;
      }
    }
  }

  end(): void {
    switch (this.state) {
      case 'scan':
        this.sink.text(this.finder.flush());
        break;
      case 'after-marker':
      case 'list':
      case 'name':
      case 'call-id':
        this.sink.verbatim(this.raw + this.finder.flush());
        break;
      case 'call':
        this.call!.end();
        break;
      case 'args-start':
      case 'args':
        this.sink.args(this.state === 'args' ? this.args.closer() : '{}');
        this.sink.endCall();
        break;
      default:
        break;
    }
    this.sink.end();
  }

  /** name[CALL_ID]id[ARGS]: name and id characters, then the markers. */
  private nameChar(ch: string): void {
    if (this.finder.holding === '' && ch !== '[') {
      const ok = this.state === 'name' ? NAME_CHAR.test(ch) && this.name.length < MAX_NAME : /^[A-Za-z0-9]$/.test(ch);
      if (!ok) return this.reject(ch);
      if (this.state === 'name') this.name += ch;
      else this.callId += ch;
      this.raw += ch;
      return;
    }
    const { text, marker } = this.finder.push(ch);
    if (text !== '') {
      const rest = text + this.finder.flush();
      this.reject(rest);
    } else if (marker === CALL_ID && this.state === 'name') {
      this.raw += marker;
      this.callId = '';
      this.to('call-id', [ARGS]);
    } else if (marker === ARGS) {
      this.raw += marker;
      if (!this.toolNames.has(this.name)) return this.reject('');
      this.sink.startCall(this.name, this.callId === '' ? undefined : this.callId);
      this.state = 'args-start';
    } else if (marker !== undefined) this.reject(marker);
  }

  private afterMarker(raw: string): void {
    this.raw = raw;
    this.callId = '';
    this.to('after-marker', []);
  }

  private startCall(raw: string, first: string): void {
    this.call = new PendingCall(this.sink, this.toolNames, raw);
    this.state = 'call';
    this.feed(first);
  }

  /** Not a call: its text so far is content, and `rest` is read again as ordinary text. */
  private reject(rest: string): void {
    this.sink.verbatim(this.raw);
    this.to('scan', [TOOL_CALLS]);
    for (const c of rest) this.feed(c);
  }

  private toSkip(ch: string): void {
    this.to('skip', [TOOL_CALLS]);
    this.feed(ch);
  }

  private to(state: State, markers: readonly string[]): void {
    this.state = state;
    this.finder = new MarkerFinder(markers);
  }
}
