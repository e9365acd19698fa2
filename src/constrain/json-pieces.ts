// Grammar pieces for JSON text shared by json_object mode and the JSON Schema compiler.
//
// Whitespace policy: a model with random weights would happily emit spaces forever, so
// whitespace is bounded. 'compact' (default) allows one optional space after ':' and ','
// and nothing else ({"a": 1, "b": [1,2]}); 'flexible' also allows, after '{', '[', ',' and
// ':' and before '}' and ']', one space or one newline followed by up to 16 spaces
// (pretty-printed output of modest depth). No whitespace before or after the top value.
// Numbers are bounded too: at most 16 integer digits, 16 fraction digits, 3 exponent digits.
import { alt, charSet, type Expr, GrammarBuilder, lit, opt, repeat, seq, star } from './grammar.ts';

export type JsonWhitespace = 'compact' | 'flexible';

export interface JsonGrammarOptions {
  readonly whitespace?: JsonWhitespace;
}

const DIGIT = charSet('0-9');
const HEX = charSet('0-9a-fA-F');

export class JsonPieces {
  /** Whitespace allowed after ':' and ','. */
  readonly sepWs: Expr;
  /** Whitespace allowed inside brackets: after '{' '[' and before '}' ']'. */
  readonly innerWs: Expr;

  constructor(readonly b: GrammarBuilder, opts: JsonGrammarOptions = {}) {
    if (opts.whitespace === 'flexible') {
      const ws = b.shared('json-ws', () => opt(alt(lit(' '), seq(lit('\n'), repeat(lit(' '), 0, 16)))));
      this.sepWs = ws;
      this.innerWs = ws;
    } else {
      this.sepWs = b.shared('json-sep-ws', () => opt(lit(' ')));
      this.innerWs = seq();
    }
  }

  /** One character inside a JSON string (unescaped or an escape sequence). */
  get stringChar(): Expr {
    return this.b.shared('json-char', () => alt(
      charSet('"\\\\\u0000-\u001f', true),
      seq(lit('\\'), alt(charSet('"\\\\/bfnrt'), seq(lit('u'), HEX, HEX, HEX, HEX))),
    ));
  }

  /** A string of minLength..maxLength characters (an escape counts as one). */
  string(minLength = 0, maxLength = Infinity): Expr {
    if (minLength === 0 && maxLength === Infinity) {
      return this.b.shared('json-string', () => seq(lit('"'), star(this.stringChar), lit('"')));
    }
    return seq(lit('"'), repeat(this.stringChar, minLength, maxLength), lit('"'));
  }

  get integer(): Expr {
    return this.b.shared('json-integer', () => seq(opt(lit('-')), alt(lit('0'), seq(charSet('1-9'), repeat(DIGIT, 0, 15)))));
  }

  get number(): Expr {
    return this.b.shared('json-number', () => seq(
      this.integer,
      opt(seq(lit('.'), repeat(DIGIT, 1, 16))),
      opt(seq(charSet('eE'), opt(charSet('+-')), repeat(DIGIT, 1, 3))),
    ));
  }

  /** Any JSON value (recursive). */
  get value(): Expr {
    return this.b.shared('json-value', () => alt(
      this.anyObject, this.array(this.value), this.string(), this.number, lit('true'), lit('false'), lit('null'),
    ));
  }

  /** Any JSON object. */
  get anyObject(): Expr {
    return this.b.shared('json-object', () => this.mapOf(this.value));
  }

  /** An object with any keys whose values match `value`. */
  mapOf(value: Expr): Expr {
    const member = seq(this.string(), lit(':'), this.sepWs, value);
    return seq(lit('{'), this.innerWs, opt(seq(member, star(seq(lit(','), this.sepWs, member)), this.innerWs)), lit('}'));
  }

  /** "[" items "]" with minItems..maxItems elements matching `item`. */
  array(item: Expr, minItems = 0, maxItems = Infinity): Expr {
    if (maxItems === 0) return seq(lit('['), this.innerWs, lit(']'));
    const rest = repeat(seq(lit(','), this.sepWs, item), Math.max(minItems - 1, 0), maxItems - 1);
    const items = seq(item, rest, this.innerWs);
    return seq(lit('['), this.innerWs, minItems === 0 ? opt(items) : items, lit(']'));
  }

  /**
   * A tuple: `prefix` items in order, then items matching `rest` (none when null), with
   * minItems..maxItems elements in all (the caller checks that minItems can be met).
   */
  tuple(prefix: readonly Expr[], rest: Expr | null, minItems: number, maxItems: number): Expr {
    const n = Math.min(prefix.length, maxItems);
    const sep = seq(lit(','), this.sepWs);
    // Item i (0-based) is optional once minItems are written; later ones only follow it.
    if (n === 0) return this.array(seq(), 0, 0);
    let tail: Expr = rest === null || maxItems <= n ? seq() : repeat(seq(sep, rest), Math.max(minItems - n, 0), maxItems - n);
    for (let i = n - 1; i >= 1; i--) {
      const step = seq(sep, prefix[i], tail);
      tail = i < minItems ? step : opt(step);
    }
    const body = seq(prefix[0], tail, this.innerWs);
    return seq(lit('['), this.innerWs, minItems === 0 ? opt(body) : body, lit(']'));
  }
}
