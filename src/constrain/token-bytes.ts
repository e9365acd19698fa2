// The bytes each token id appends to the output, recovered from the tokenizer's raw
// vocabulary entries, for TokenVocab.
//
// decode([id]) alone is not enough: a token holding part of a UTF-8 character decodes to
// U+FFFD, and SentencePiece decoders drop the leading space of a lone "▁word". So the raw
// entry is read directly: "<0xNN>" is one byte (byte fallback), a byte-level BPE entry
// maps back through GPT-2's byte-to-unicode table ("Ġ" = space), and SentencePiece's "▁"
// is a space. Control tokens (isSpecial) give null: they are never part of constrained text.
import type { Tokenizer } from '../text/index.ts';

export type TokenizerView = Pick<Tokenizer, 'vocabSize' | 'idToToken' | 'isSpecial' | 'addedTokens'>;

const encoder = new TextEncoder();

/** GPT-2's printable stand-ins for the 256 byte values, inverted: char code -> byte. */
const BYTE_OF_CHAR: ReadonlyMap<number, number> = (() => {
  const direct: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) direct.push(b);
  for (let b = 0xa1; b <= 0xac; b++) direct.push(b);
  for (let b = 0xae; b <= 0xff; b++) direct.push(b);
  const map = new Map<number, number>();
  for (const b of direct) map.set(b, b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (!direct.includes(b)) map.set(256 + n++, b);
  return map;
})();

/** Per-id token bytes for `tokenizer` (see the file comment); null for control and unused ids. */
export function tokenBytesOf(tokenizer: TokenizerView): (id: number) => Uint8Array | null {
  const added = new Map(tokenizer.addedTokens.map((t) => [t.id, t.content]));
  return (id) => {
    if (tokenizer.isSpecial(id)) return null;
    // Added tokens (e.g. <tool_call>) are stored as their plain text.
    const content = added.get(id);
    if (content !== undefined) return encoder.encode(content);
    const raw = tokenizer.idToToken(id);
    if (raw === undefined || raw === '') return null;
    const byte = /^<0x([0-9A-Fa-f]{2})>$/.exec(raw);
    if (byte) return Uint8Array.of(parseInt(byte[1], 16));
    if (raw.includes('\u2581')) return encoder.encode(raw.replaceAll('\u2581', ' '));
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const b = BYTE_OF_CHAR.get(raw.charCodeAt(i));
      if (b === undefined) return encoder.encode(raw); // not byte-level: plain text
      bytes[i] = b;
    }
    return bytes;
  };
}
