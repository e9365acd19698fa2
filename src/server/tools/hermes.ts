// Hermes-style calls (Qwen2.5, Qwen3, Hermes 2/3, QwQ): each call is a JSON object between
// tags, anywhere in the reply, several in a row for parallel calls:
//   Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>
// After a call's object the closing tag is expected (a stray '}' before it is dropped); a
// reply that forgets the tag and goes on with text or another <tool_call> is accepted. A
// call whose JSON breaks after it was opened is closed (see PendingCall) and its remaining
// text up to </tool_call> is dropped.
import type { ChunkSink } from './chunk-sink.ts';
import type { FormatMachine } from './format-machine.ts';
import { MarkerFinder } from './marker-finder.ts';
import { PendingCall } from './pending-call.ts';

const OPEN = '<tool_call>';
const CLOSE = '</tool_call>';
const WS = ' \t\n\r';

type State = 'scan' | 'call' | 'close' | 'skip';

export class HermesMachine implements FormatMachine {
  private state: State = 'scan';
  private finder = new MarkerFinder([OPEN]);
  private call: PendingCall | undefined;

  constructor(private readonly sink: ChunkSink, private readonly toolNames: ReadonlySet<string>) {}

  feed(ch: string): void {
    switch (this.state) {
      case 'scan': {
        const { text, marker } = this.finder.push(ch);
        this.sink.text(text);
        if (marker !== undefined) this.startCall(this.sink.takeWhitespace() + marker);
        return;
      }
      case 'call': {
        const step = this.call!.push(ch);
        if (step === 'done') this.setState('close', [CLOSE, OPEN]);
        else if (step === 'reject') {
          this.sink.verbatim(this.call!.raw);
          this.setState('scan', [OPEN]);
          this.feed(ch);
        } else if (step === 'broken') {
          this.setState('skip', [CLOSE]);
          this.feed(ch);
        }
        return;
      }
      case 'close': {
        // A stray '}' (models sometimes close the object twice) belongs to the call too.
        if (this.finder.holding === '' && (WS.includes(ch) || ch === '}')) return;
        const { text, marker } = this.finder.push(ch);
        if (marker === CLOSE) this.setState('scan', [OPEN]);
        else if (marker === OPEN) this.startCall(OPEN);
        else if (text !== '') {
          // No closing tag: what follows the call is read as ordinary text.
          const rest = text + this.finder.flush();
          this.setState('scan', [OPEN]);
          for (const c of rest) this.feed(c);
        }
        return;
      }
      case 'skip':
        if (this.finder.push(ch).marker !== undefined) this.setState('scan', [OPEN]);
        return;
    }
  }

  end(): void {
    if (this.state === 'scan') this.sink.text(this.finder.flush());
    else if (this.state === 'call') this.call!.end();
    this.sink.end();
  }

  private startCall(raw: string): void {
    this.call = new PendingCall(this.sink, this.toolNames, raw);
    this.state = 'call';
  }

  private setState(state: State, markers: readonly string[]): void {
    this.state = state;
    this.finder = new MarkerFinder(markers);
  }
}
