// Llama 3.1 / 3.2 / 3.3 custom-tool calls: the whole reply is the call, a JSON object with
// "parameters" (or "arguments"), optionally after <|python_tag|>, several separated by ";":
//   {"name": "get_weather", "parameters": {"city": "Paris"}}
//   <|python_tag|>{"name": "a", "parameters": {}}; {"name": "b", "parameters": {}}
// Only a reply that starts with such an object (after whitespace) can be a call; one that
// does not is content from its first character, markers included. Text after the calls is
// content. A call whose JSON breaks after it was opened is closed (see PendingCall) and the
// rest of the reply is dropped.
import type { ChunkSink } from './chunk-sink.ts';
import type { FormatMachine } from './format-machine.ts';
import { MarkerFinder } from './marker-finder.ts';
import { PendingCall } from './pending-call.ts';

const PYTHON_TAG = '<|python_tag|>';
const WS = ' \t\n\r';

type State = 'start' | 'call' | 'between' | 'text' | 'skip';

export class Llama3Machine implements FormatMachine {
  private state: State = 'start';
  private readonly finder = new MarkerFinder([PYTHON_TAG]);
  /** Leading whitespace, kept in case the reply is no call. */
  private lead = '';
  private call: PendingCall | undefined;

  constructor(private readonly sink: ChunkSink, private readonly toolNames: ReadonlySet<string>) {}

  feed(ch: string): void {
    switch (this.state) {
      case 'start': {
        if (this.finder.holding === '' && (WS.includes(ch) || ch === '{')) {
          if (ch === '{') this.startCall(this.lead, ch);
          else this.lead += ch;
          return;
        }
        const { text, marker } = this.finder.push(ch);
        if (marker !== undefined) this.startCall(this.lead + marker);
        else if (text !== '') {
          this.state = 'text';
          this.sink.text(this.lead + text + this.finder.flush());
        }
        return;
      }
      case 'call': {
        const step = this.call!.push(ch);
        if (step === 'done') this.state = 'between';
        else if (step === 'reject') {
          this.sink.verbatim(this.call!.raw);
          this.state = 'text';
          this.feed(ch);
        } else if (step === 'broken') this.state = 'skip';
        return;
      }
      case 'between':
        if (WS.includes(ch) || ch === ';') return;
        if (ch === '{') this.startCall('', ch);
        else {
          this.state = 'text';
          this.feed(ch);
        }
        return;
      case 'text':
        this.sink.text(ch);
        return;
      case 'skip':
        return;
    }
  }

  end(): void {
    if (this.state === 'start') this.sink.text(this.lead + this.finder.flush());
    else if (this.state === 'call') this.call!.end();
    this.sink.end();
  }

  private startCall(raw: string, first?: string): void {
    this.call = new PendingCall(this.sink, this.toolNames, raw);
    this.state = 'call';
    if (first !== undefined) this.feed(first);
  }
}
