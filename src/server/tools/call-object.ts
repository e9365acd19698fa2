// One tool call written as a JSON object, {"name": "f", "arguments": {...}} (Hermes, Mistral's
// list form) or {"name": "f", "parameters": {...}} (Llama 3.x), read a character at a time.
// The arguments object's text is collected as it arrives (already checked to be a valid
// JSON prefix) so the caller can stream it; arguments given as a JSON-encoded string are
// decoded when the string ends.
import { JsonScanner } from './json-scanner.ts';

export type CallObjectStep = 'more' | 'done' | 'error';

const ARGUMENT_KEYS: ReadonlySet<string> = new Set(['arguments', 'parameters']);
/** Keys ignored where they appear; any other key before the name says this object is no call. */
const IGNORED_KEYS: ReadonlySet<string> = new Set(['type', 'id']);
const WS = ' \t\n\r';

type State = 'start' | 'key-or-close' | 'key' | 'key-text' | 'colon' | 'value' | 'value-text' | 'after-value' | 'done';
type ValueRole = 'name' | 'args' | 'args-string' | 'ignored';

export class CallObjectParser {
  /** The function name, once its string has ended. */
  name: string | undefined;
  /** Text of the arguments object read so far: a valid JSON prefix, whole once argsComplete. */
  args = '';
  argsStarted = false;
  argsComplete = false;

  private state: State = 'start';
  private scanner = new JsonScanner();
  private raw = '';
  private key = '';
  private role: ValueRole = 'ignored';

  /**
   * Text that completes the arguments sent so far (this.args) into one JSON object: '{}'
   * when none were sent (no arguments key, or a JSON-encoded string still being read).
   */
  argsCloser(): string {
    if (this.argsComplete) return '';
    if (!this.argsStarted || this.role === 'args-string') return '{}';
    return this.scanner.closer();
  }

  push(ch: string): CallObjectStep {
    switch (this.state) {
      case 'start':
        if (WS.includes(ch)) return 'more';
        if (ch !== '{') return 'error';
        this.state = 'key-or-close';
        return 'more';
      case 'key-or-close':
      case 'key':
        if (WS.includes(ch)) return 'more';
        if (ch === '}' && this.state === 'key-or-close') return this.finish();
        if (ch !== '"') return 'error';
        this.beginValue('ignored', ch);
        this.state = 'key-text';
        return 'more';
      case 'key-text':
        return this.keyChar(ch);
      case 'colon':
        if (WS.includes(ch)) return 'more';
        if (ch !== ':') return 'error';
        this.state = 'value';
        return 'more';
      case 'value':
        return WS.includes(ch) ? 'more' : this.startValue(ch);
      case 'value-text':
        return this.valueChar(ch);
      case 'after-value':
        if (WS.includes(ch)) return 'more';
        if (ch === ',') {
          this.state = 'key';
          return 'more';
        }
        return ch === '}' ? this.finish() : 'error';
      case 'done':
        return 'error';
    }
  }

  private beginValue(role: ValueRole, ch: string): void {
    this.scanner = new JsonScanner();
    this.scanner.push(ch);
    this.raw = ch;
    this.role = role;
  }

  private keyChar(ch: string): CallObjectStep {
    const step = this.scanner.push(ch);
    if (step === 'error') return 'error';
    this.raw += ch;
    if (step === 'done') {
      this.key = JSON.parse(this.raw) as string;
      this.state = 'colon';
    }
    return 'more';
  }

  private startValue(ch: string): CallObjectStep {
    let role: ValueRole = 'ignored';
    if (this.key === 'name' && this.name === undefined) {
      if (ch !== '"') return 'error';
      role = 'name';
    } else if (ARGUMENT_KEYS.has(this.key) && !this.argsStarted) {
      if (ch !== '{' && ch !== '"') return 'error';
      role = ch === '{' ? 'args' : 'args-string';
      this.argsStarted = true;
      if (role === 'args') this.args = ch;
    } else if (this.name === undefined && !IGNORED_KEYS.has(this.key) && !ARGUMENT_KEYS.has(this.key)) {
      return 'error';
    }
    this.beginValue(role, ch);
    this.state = 'value-text';
    return 'more';
  }

  private valueChar(ch: string): CallObjectStep {
    const step = this.scanner.push(ch);
    if (step === 'error') return 'error';
    if (step === 'done-before') {
      this.state = 'after-value';
      return this.push(ch);
    }
    this.raw += ch;
    if (this.role === 'args') this.args += ch;
    if (step === 'done') return this.endValue();
    return 'more';
  }

  private endValue(): CallObjectStep {
    this.state = 'after-value';
    if (this.role === 'name') {
      this.name = JSON.parse(this.raw) as string;
    } else if (this.role === 'args') {
      this.argsComplete = true;
    } else if (this.role === 'args-string') {
      // {"arguments": "{\"city\": \"Paris\"}"}: the string must hold one JSON object.
      const text = (JSON.parse(this.raw) as string).trim();
      let value: unknown;
      try {
        value = JSON.parse(text === '' ? '{}' : text);
      } catch {
        return 'error';
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'error';
      this.args = text === '' ? '{}' : text;
      this.argsComplete = true;
    }
    return 'more';
  }

  private finish(): CallObjectStep {
    this.state = 'done';
    return 'done';
  }
}
