// JSON Schema `pattern` (ECMA-262 syntax) -> grammar of the JSON string content that
// matches it. The subset: literals and escapes, ".", classes with ranges and negation,
// \d \w \s (and negations), groups (capturing, (?:...), named), "|", the quantifiers
// * + ? {n} {n,} {n,m} (lazy forms act the same), and "^" / "$" at the ends. An unanchored
// side may have any text before or after the match, as the keyword's search semantics say.
// Back-references, lookaround and word boundaries throw ConstraintError("pattern").
//
// A character the regex admits but JSON must escape (", \, control characters) is written
// as its escape sequence, so the string's decoded value is what the regex matches.
import { MAX_CODE_POINT, negateRanges, normalizeRanges, type Ranges } from './char-class.ts';
import { ConstraintError } from './errors.ts';
import { alt, type Expr, lit, repeat, seq, star } from './grammar.ts';

const DIGITS = [0x30, 0x39];
const WORD = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const SPACE = [0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff];
/** Characters a JSON string may hold unescaped. */
const SAFE = normalizeRanges([0x20, 0x21, 0x23, 0x5b, 0x5d, MAX_CODE_POINT]);
const ESCAPES: Readonly<Record<number, string>> = { 0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };

/** The content (between the quotes) of JSON strings whose value matches `pattern`. */
export function patternContent(pattern: string, path: string): Expr {
  return new RegexParser(pattern, path).parse();
}

/** A class as JSON string content: unescaped safe characters, escape sequences for the rest. */
function jsonChars(ranges: Ranges): Expr {
  const safe: number[] = [];
  for (let i = 0; i < ranges.length; i += 2) {
    for (let k = 0; k < SAFE.length; k += 2) {
      const lo = Math.max(ranges[i], SAFE[k]), hi = Math.min(ranges[i + 1], SAFE[k + 1]);
      if (lo <= hi) safe.push(lo, hi);
    }
  }
  const options: Expr[] = safe.length > 0 ? [{ type: 'chars', ranges: safe }] : [];
  for (let i = 0; i < ranges.length; i += 2) {
    for (let cp = ranges[i]; cp <= Math.min(ranges[i + 1], 0x5c); cp++) {
      if (cp < 0x20 || cp === 0x22 || cp === 0x5c) options.push(lit(ESCAPES[cp] ?? `\\u${cp.toString(16).padStart(4, '0')}`));
    }
  }
  return alt(...options);
}

class RegexParser {
  private pos = 0;

  constructor(private readonly src: string, private readonly path: string) {}

  parse(): Expr {
    const anchoredStart = this.src.startsWith('^');
    if (anchoredStart) this.pos = 1;
    const body = this.alternation();
    const anchoredEnd = this.eat('$');
    if (this.pos < this.src.length) this.fail(`unexpected "${this.src[this.pos]}"`);
    const any = star(jsonChars([0, MAX_CODE_POINT]));
    return seq(...(anchoredStart ? [] : [any]), body, ...(anchoredEnd ? [] : [any]));
  }

  private alternation(): Expr {
    const options = [this.sequence()];
    while (this.eat('|')) options.push(this.sequence());
    return alt(...options);
  }

  private sequence(): Expr {
    const items: Expr[] = [];
    while (this.pos < this.src.length && !'|)'.includes(this.peek()) && !(this.peek() === '$' && this.atEnd(1))) {
      items.push(this.quantified(this.atom()));
    }
    return seq(...items);
  }

  private quantified(atom: Expr): Expr {
    let e = atom;
    for (;;) {
      const c = this.peek();
      let min: number, max: number;
      if (c === '*') { min = 0; max = Infinity; this.pos++; }
      else if (c === '+') { min = 1; max = Infinity; this.pos++; }
      else if (c === '?') { min = 0; max = 1; this.pos++; }
      else if (c === '{' && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.pos))) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos))!;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        if (max < min) this.fail('quantifier range out of order');
        this.pos += m[0].length;
      } else return e;
      this.eat('?'); // lazy: the same language
      e = repeat(e, min, max);
    }
  }

  private atom(): Expr {
    const c = this.src[this.pos++];
    if (c === '(') {
      if (this.src.startsWith('?:', this.pos)) this.pos += 2;
      else if (/^\?<[A-Za-z_$][\w$]*>/.test(this.src.slice(this.pos))) this.pos = this.src.indexOf('>', this.pos) + 1;
      else if (this.peek() === '?') this.fail('lookaround is not supported');
      const inner = this.alternation();
      if (!this.eat(')')) this.fail('missing ")"');
      return inner;
    }
    if (c === '[') return jsonChars(this.classBody());
    if (c === '.') return jsonChars(negateRanges([0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029]));
    if (c === '\\') return jsonChars(this.escape(false));
    if ('*+?{'.includes(c) && !(c === '{' && !/^\d+(,\d*)?\}/.test(this.src.slice(this.pos)))) this.fail(`nothing to repeat before "${c}"`);
    if (c === ')' || c === '^' || c === '$') this.fail(`"${c}" is only supported at the pattern's ends`);
    const cp = this.src.codePointAt(this.pos - 1)!;
    if (cp > 0xffff) this.pos++;
    return jsonChars([cp, cp]);
  }

  /** After "[": the class's ranges. */
  private classBody(): number[] {
    const negated = this.eat('^');
    const pairs: number[] = [];
    while (this.peek() !== ']') {
      if (this.pos >= this.src.length) this.fail('missing "]"');
      const lo = this.classAtom();
      if (this.peek() === '-' && this.src[this.pos + 1] !== ']' && lo.length === 2 && lo[0] === lo[1]) {
        this.pos++;
        const hi = this.classAtom();
        if (hi.length !== 2 || hi[0] !== hi[1] || hi[0] < lo[0]) this.fail('bad class range');
        pairs.push(lo[0], hi[0]);
      } else pairs.push(...lo);
    }
    this.pos++;
    const ranges = normalizeRanges(pairs);
    return negated ? negateRanges(ranges) : ranges;
  }

  private classAtom(): number[] {
    if (this.eat('\\')) return this.escape(true);
    const cp = this.src.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return [cp, cp];
  }

  /** After a backslash: the ranges it stands for. */
  private escape(inClass: boolean): number[] {
    const c = this.src[this.pos++];
    const one = (cp: number) => [cp, cp];
    switch (c) {
      case 'd': return DIGITS;
      case 'D': return negateRanges(DIGITS);
      case 'w': return WORD;
      case 'W': return negateRanges(WORD);
      case 's': return normalizeRanges(SPACE);
      case 'S': return negateRanges(normalizeRanges(SPACE));
      case 't': return one(9);
      case 'n': return one(10);
      case 'r': return one(13);
      case 'f': return one(12);
      case 'v': return one(11);
      case '0': return one(0);
      case 'b': if (inClass) return one(8); break;
      case 'x': return one(this.hex(/^[0-9a-fA-F]{2}/));
      case 'u': return one(this.src[this.pos] === '{' ? this.hex(/^\{([0-9a-fA-F]{1,6})\}/) : this.hex(/^[0-9a-fA-F]{4}/));
      case undefined: this.fail('pattern ends with "\\"');
    }
    if (/[A-Za-z0-9]/.test(c)) this.fail(`escape "\\${c}" is not supported`);
    return one(c.codePointAt(0)!);
  }

  private hex(re: RegExp): number {
    const m = re.exec(this.src.slice(this.pos));
    if (!m) this.fail('bad hex escape');
    this.pos += m[0].length;
    return parseInt(m[1] ?? m[0], 16);
  }

  private peek(): string {
    return this.src[this.pos];
  }

  private atEnd(offset: number): boolean {
    return this.pos + offset === this.src.length;
  }

  private eat(s: string): boolean {
    if (this.src.startsWith(s, this.pos)) { this.pos += s.length; return true; }
    return false;
  }

  private fail(why: string): never {
    throw new ConstraintError(`unsupported or invalid pattern ${JSON.stringify(this.src)} at offset ${this.pos}: ${why}`,
      { keyword: 'pattern', path: this.path, position: this.pos });
  }
}
