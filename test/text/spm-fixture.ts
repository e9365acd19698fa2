// A small hand-made SentencePiece ("llama") vocabulary as GGUF metadata, and an independent
// transcription of llama.cpp's SPM tokenizer to check the GGUF path against.

export const SPM_PIECES: [string, number][] = [
  ['▁', -1], ['e', -2], ['l', -3], ['o', -4], ['t', -5], ['h', -6], ['a', -7], ['w', -8], ['r', -9],
  ['d', -10], ['H', -11], ['b', -19], ['n', -12], ['i', -13], ['s', -14], ['你', -15], ['好', -16], ['!', -17], [',', -18],
  ['▁t', -20], ['he', -21], ['▁the', -22], ['ll', -23], ['llo', -24], ['▁H', -25], ['▁He', -25.5], ['▁Hello', -26],
  ['▁w', -27], ['or', -28], ['▁wor', -29], ['ld', -30], ['▁world', -31], ['in', -32], ['▁in', -33],
  ['is', -34], ['▁is', -35], ['▁a', -36], ['an', -37], ['▁an', -38], ['▁▁', -39], ['你好', -40], ['▁你', -41],
  // equal scores: which merge wins is decided by position (leftmost first), as in llama.cpp
  ['ea', -50], ['ae', -50], ['ee', -50], ['aa', -50],
];

/** tokenizer.ggml.* for the vocabulary: <unk>, <s>, </s>, 256 byte tokens, pieces, <tool>. */
export function spmMetadata(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3];
  const scores = [0, 0, 0];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6);
    scores.push(0);
  }
  for (const [piece, score] of SPM_PIECES) {
    tokens.push(piece);
    types.push(1);
    scores.push(score);
  }
  tokens.push('<tool>');
  types.push(4);
  scores.push(0);
  return {
    'tokenizer.ggml.model': 'llama',
    'tokenizer.ggml.tokens': tokens,
    'tokenizer.ggml.token_type': Int32Array.from(types),
    'tokenizer.ggml.scores': Float32Array.from(scores),
    'tokenizer.ggml.bos_token_id': 1,
    'tokenizer.ggml.eos_token_id': 2,
    'tokenizer.ggml.unknown_token_id': 0,
    ...extra,
  };
}

/**
 * llama.cpp's SPM tokenize, naively: split out special/user-defined tokens; per piece of
 * raw text prepend " " (add_space_prefix), spaces -> "▁", merge the adjacent pair whose
 * concatenation is the best-scoring token (leftmost on ties) until none is left, and
 * write symbols that are not tokens as their UTF-8 bytes.
 */
export function spmReference(meta: Record<string, unknown>, text: string, addSpacePrefix = true): number[] {
  const tokens = meta['tokenizer.ggml.tokens'] as string[];
  const types = meta['tokenizer.ggml.token_type'] as Int32Array;
  const scores = meta['tokenizer.ggml.scores'] as Float32Array;
  const ids = new Map(tokens.map((t, i) => [t, i]));
  const specials = tokens.filter((_, i) => types[i] === 2 || types[i] === 3 || types[i] === 4)
    .sort((a, b) => b.length - a.length);
  const escaped = specials.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const out: number[] = [];
  for (const part of text.split(new RegExp(`(${escaped.join('|')})`))) {
    if (part === '') continue;
    if (ids.has(part) && specials.includes(part)) { out.push(ids.get(part)!); continue; }
    const syms = [...((addSpacePrefix ? ' ' : '') + part).replaceAll(' ', '▁')];
    for (;;) {
      let best = -1;
      let bestScore = -Infinity;
      for (let i = 0; i + 1 < syms.length; i++) {
        const id = ids.get(syms[i] + syms[i + 1]);
        if (id !== undefined && types[id] !== 6 && scores[id] > bestScore) { best = i; bestScore = scores[id]; }
      }
      if (best < 0) break;
      syms.splice(best, 2, syms[best] + syms[best + 1]);
    }
    for (const s of syms) {
      const id = ids.get(s);
      if (id !== undefined) out.push(id);
      else for (const b of new TextEncoder().encode(s)) out.push(ids.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)!);
    }
  }
  return out;
}
