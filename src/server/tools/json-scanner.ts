// Incremental JSON syntax checker for one value, fed a character at a time. Tool-call
// arguments are streamed to clients as the model writes them, so each character must be
// known to keep the text a valid JSON prefix before it is sent; and when the model stops
// or goes wrong mid-value, closer() gives the suffix that completes what was sent.

/** 'done-before': the value ended just before this character (numbers end that way), which was not consumed. */
export type JsonStep = 'more' | 'done' | 'done-before' | 'error';

type State =
  | 'value'          // a value must come next (start, after ':' or after ',' in an array)
  | 'value-or-close' // just after '['
  | 'key-or-close'   // just after '{'
  | 'key'            // after ',' in an object: a key string must come
  | 'colon'          // after a key
  | 'after-value'    // inside a container, after a member
  | 'string' | 'number' | 'literal' | 'done';

/** Number grammar positions; the ones in NUMBER_ENDS may end the number. */
type NumberState = 'sign' | 'zero' | 'int' | 'dot' | 'frac' | 'e' | 'esign' | 'exp';
const NUMBER_ENDS: ReadonlySet<NumberState> = new Set(['zero', 'int', 'frac', 'exp']);

const WS = ' \t\n\r';
const HEX = /^[0-9a-fA-F]$/;
const ESCAPES = '"\\/bfnrtu';

export class JsonScanner {
  private state: State = 'value';
  /** Open containers, outermost first: '{' or '['. */
  private readonly stack: string[] = [];
  private stringIsKey = false;
  /** Inside a string: a backslash was read and its escape letter is pending. */
  private escape = false;
  /** Hex digits still expected after "\u". */
  private hexLeft = 0;
  private num: NumberState = 'int';
  /** Letters still expected of true/false/null. */
  private literalRest = '';

  get done(): boolean {
    return this.state === 'done';
  }

  /** Whether the text so far is a whole value (a top-level number can end here or go on). */
  get complete(): boolean {
    return this.state === 'done' || (this.state === 'number' && this.stack.length === 0 && NUMBER_ENDS.has(this.num));
  }

  push(ch: string): JsonStep {
    switch (this.state) {
      case 'done':
        return 'error';
      case 'string':
        return this.stringChar(ch);
      case 'number':
        return this.numberChar(ch);
      case 'literal':
        if (ch !== this.literalRest[0]) return 'error';
        this.literalRest = this.literalRest.slice(1);
        return this.literalRest === '' ? this.endValue() : 'more';
      default:
        return WS.includes(ch) ? 'more' : this.structural(ch);
    }
  }

  /** The shortest text found that makes what was read so far one complete JSON value. */
  closer(): string {
    let s = '';
    switch (this.state) {
      case 'string':
        if (this.escape) s += '\\';
        else if (this.hexLeft > 0) s += '0'.repeat(this.hexLeft);
        s += this.stringIsKey ? '":null' : '"';
        break;
      case 'number':
        if (!NUMBER_ENDS.has(this.num)) s += '0';
        break;
      case 'literal':
        s += this.literalRest;
        break;
      case 'value':
        s += 'null';
        break;
      case 'key': // a ',' was sent and cannot be taken back: an empty placeholder key
        s += '"":null';
        break;
      case 'colon':
        s += ':null';
        break;
      default:
        break;
    }
    for (let i = this.stack.length - 1; i >= 0; i--) s += this.stack[i] === '{' ? '}' : ']';
    return s;
  }

  private structural(ch: string): JsonStep {
    const st = this.state;
    if (st === 'colon') {
      if (ch !== ':') return 'error';
      this.state = 'value';
      return 'more';
    }
    if (st === 'key' || st === 'key-or-close') {
      if (ch === '}' && st === 'key-or-close') return this.close('{');
      if (ch !== '"') return 'error';
      this.state = 'string';
      this.stringIsKey = true;
      return 'more';
    }
    if (st === 'after-value') {
      const top = this.stack[this.stack.length - 1];
      if (ch === ',') {
        this.state = top === '{' ? 'key' : 'value';
        return 'more';
      }
      return this.close(ch === '}' ? '{' : ch === ']' ? '[' : '', top);
    }
    if (ch === ']' && st === 'value-or-close') return this.close('[');
    return this.startValue(ch);
  }

  private startValue(ch: string): JsonStep {
    if (ch === '{' || ch === '[') {
      this.stack.push(ch);
      this.state = ch === '{' ? 'key-or-close' : 'value-or-close';
      return 'more';
    }
    if (ch === '"') {
      this.state = 'string';
      this.stringIsKey = false;
      return 'more';
    }
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      this.state = 'number';
      this.num = ch === '-' ? 'sign' : ch === '0' ? 'zero' : 'int';
      return 'more';
    }
    const literal = ch === 't' ? 'rue' : ch === 'f' ? 'alse' : ch === 'n' ? 'ull' : undefined;
    if (literal === undefined) return 'error';
    this.state = 'literal';
    this.literalRest = literal;
    return 'more';
  }

  private close(kind: string, top = this.stack[this.stack.length - 1]): JsonStep {
    if (kind === '' || kind !== top) return 'error';
    this.stack.pop();
    return this.endValue();
  }

  private endValue(): JsonStep {
    if (this.stack.length === 0) {
      this.state = 'done';
      return 'done';
    }
    this.state = 'after-value';
    return 'more';
  }

  private stringChar(ch: string): JsonStep {
    if (this.escape) {
      if (!ESCAPES.includes(ch)) return 'error';
      this.escape = false;
      if (ch === 'u') this.hexLeft = 4;
      return 'more';
    }
    if (this.hexLeft > 0) {
      if (!HEX.test(ch)) return 'error';
      this.hexLeft--;
      return 'more';
    }
    if (ch === '\\') {
      this.escape = true;
      return 'more';
    }
    if (ch === '"') {
      if (!this.stringIsKey) return this.endValue();
      this.state = 'colon';
      return 'more';
    }
    return ch.charCodeAt(0) < 0x20 ? 'error' : 'more';
  }

  private numberChar(ch: string): JsonStep {
    const digit = ch >= '0' && ch <= '9';
    const n = this.num;
    let next: NumberState | undefined;
    if (n === 'sign') next = ch === '0' ? 'zero' : digit ? 'int' : undefined;
    else if (n === 'dot') next = digit ? 'frac' : undefined;
    else if (n === 'e') next = ch === '+' || ch === '-' ? 'esign' : digit ? 'exp' : undefined;
    else if (n === 'esign') next = digit ? 'exp' : undefined;
    else if (digit && n !== 'zero') next = n;
    else if (ch === '.' && (n === 'zero' || n === 'int')) next = 'dot';
    else if ((ch === 'e' || ch === 'E') && n !== 'exp') next = 'e';
    if (next !== undefined) {
      this.num = next;
      return 'more';
    }
    if (!NUMBER_ENDS.has(n)) return 'error';
    // The number ended before this character; let the enclosing state judge it.
    if (this.stack.length === 0) {
      this.state = 'done';
      return 'done-before';
    }
    this.state = 'after-value';
    const step = this.push(ch);
    return step === 'more' || step === 'done' ? step : 'error';
  }
}
