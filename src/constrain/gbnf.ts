// llama.cpp's GBNF grammar format -> grammar IR.
//
//   root  ::= expr            # comments run to the end of the line
//   expr  ::= term ([-+*/] term)*
//   term  ::= [0-9]+ | "(" expr ")"
//
// Rules `name ::= alternatives`; alternatives separated by "|"; items are "literals",
// [classes] (ranges, ^ negation), rule names, (groups), "." (any character), each with
// optional * + ? {m} {m,} {m,n} {,n}. Escapes in literals and classes: \n \r \t \\ \"
// \[ \] \- \xHH \uHHHH \UHHHHHHHH. A rule may span lines; it ends where the next
// `name ::=` begins. The start rule is "root" unless another is named.
import { MAX_CODE_POINT } from './char-class.ts';
import { ConstraintError } from './errors.ts';
import { alt, chars, type Expr, type Grammar, lit, ref, repeat, seq } from './grammar.ts';

const NAME = /^[A-Za-z0-9_-]+/;
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { n: 10, r: 13, t: 9, '\\': 92, '"': 34, '[': 91, ']': 93, '-': 45, '/': 47, '\'': 39, '^': 94 };

export function parseGbnf(text: string, root = 'root'): Grammar {
  return new GbnfParser(text).parse(root);
}

class GbnfParser {
  private pos = 0;
  private readonly rules = new Map<string, Expr>();
  private readonly refs = new Map<string, number>(); // rule name -> offset of its first use

  constructor(private readonly src: string) {}

  parse(root: string): Grammar {
    this.space();
    while (this.pos < this.src.length) {
      const at = this.pos;
      const name = this.name('a rule name');
      this.space();
      if (!this.eat('::=')) this.fail('expected "::="');
      if (this.rules.has(name)) this.fail(`rule "${name}" is defined twice`, at);
      this.rules.set(name, this.alternatives(false));
    }
    for (const [name, at] of this.refs) if (!this.rules.has(name)) this.fail(`undefined rule "${name}"`, at);
    if (!this.rules.has(root)) this.fail(`the grammar has no "${root}" rule`, 0);
    return { rules: this.rules, root };
  }

  private alternatives(nested: boolean): Expr {
    const options = [this.sequence(nested)];
    while (this.eat('|')) options.push(this.sequence(nested));
    return alt(...options);
  }

  private sequence(nested: boolean): Expr {
    const items: Expr[] = [];
    for (;;) {
      this.space();
      const c = this.src[this.pos];
      if (c === undefined || c === '|' || (c === ')' && nested)) break;
      if (!nested && this.atRuleStart()) break;
      items.push(this.postfix(this.item()));
    }
    return seq(...items);
  }

  private item(): Expr {
    const at = this.pos;
    const c = this.src[this.pos];
    if (c === '"') {
      this.pos++;
      let text = '';
      while (this.src[this.pos] !== '"') {
        if (this.pos >= this.src.length) this.fail('unterminated string literal', at);
        text += String.fromCodePoint(this.char());
      }
      this.pos++;
      return lit(text);
    }
    if (c === '[') {
      this.pos++;
      const negated = this.eat('^');
      const pairs: number[] = [];
      while (this.src[this.pos] !== ']') {
        if (this.pos >= this.src.length) this.fail('unterminated character class', at);
        const lo = this.char();
        let hi = lo;
        if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']') {
          this.pos++;
          hi = this.char();
          if (hi < lo) this.fail('character range out of order');
        }
        pairs.push(lo, hi);
      }
      this.pos++;
      return chars(pairs, negated);
    }
    if (c === '(') {
      this.pos++;
      const inner = this.alternatives(true);
      this.space();
      if (!this.eat(')')) this.fail('expected ")"');
      return inner;
    }
    if (c === '.') {
      this.pos++;
      return chars([0, MAX_CODE_POINT]);
    }
    if (NAME.test(this.src.slice(this.pos, this.pos + 1))) {
      const name = this.name('a rule name');
      if (!this.refs.has(name)) this.refs.set(name, at);
      return ref(name);
    }
    this.fail(`unexpected ${JSON.stringify(c)}`);
  }

  private postfix(item: Expr): Expr {
    let e = item;
    for (;;) {
      this.space();
      const c = this.src[this.pos];
      if (c === '*') { this.pos++; e = repeat(e, 0); }
      else if (c === '+') { this.pos++; e = repeat(e, 1); }
      else if (c === '?') { this.pos++; e = repeat(e, 0, 1); }
      else if (c === '{') {
        const m = /^\{\s*(\d*)\s*(,\s*(\d*)\s*)?\}/.exec(this.src.slice(this.pos));
        if (!m || (m[1] === '' && m[2] === undefined)) this.fail('bad repetition, expected {m}, {m,}, {m,n} or {,n}');
        const min = m[1] === '' ? 0 : Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        if (max < min) this.fail('repetition bounds out of order');
        this.pos += m[0].length;
        e = repeat(e, min, max);
      } else return e;
    }
  }

  /** One character of a literal or class, escapes decoded, as a code point. */
  private char(): number {
    const at = this.pos;
    const c = this.src.codePointAt(this.pos)!;
    if (c !== 0x5c) { this.pos += c > 0xffff ? 2 : 1; return c; }
    const e = this.src[this.pos + 1];
    this.pos += 2;
    if (e !== undefined && e in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[e];
    const digits = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    const hex = this.src.slice(this.pos, this.pos + digits);
    if (digits === 0 || !new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) this.fail(`bad escape "\\${e ?? ''}"`, at);
    this.pos += digits;
    const cp = parseInt(hex, 16);
    if (cp > MAX_CODE_POINT) this.fail('code point out of range', at);
    return cp;
  }

  private name(what: string): string {
    const m = NAME.exec(this.src.slice(this.pos, this.pos + 256));
    if (!m) this.fail(`expected ${what}`);
    this.pos += m[0].length;
    return m[0];
  }

  /** At `name ::=`: the current rule has ended. */
  private atRuleStart(): boolean {
    return /^[A-Za-z0-9_-]+[ \t]*::=/.test(this.src.slice(this.pos, this.pos + 300));
  }

  /** Skips blanks, newlines and # comments. */
  private space(): void {
    const re = /(?:[ \t\r\n]+|#[^\n]*)*/y;
    re.lastIndex = this.pos;
    re.exec(this.src);
    this.pos = re.lastIndex;
  }

  private eat(s: string): boolean {
    if (this.src.startsWith(s, this.pos)) { this.pos += s.length; return true; }
    return false;
  }

  private fail(why: string, at = this.pos): never {
    const before = this.src.slice(0, at);
    const line = before.split('\n').length;
    const col = at - before.lastIndexOf('\n');
    throw new ConstraintError(`GBNF syntax error at line ${line}, column ${col}: ${why}`, { position: at });
  }
}
