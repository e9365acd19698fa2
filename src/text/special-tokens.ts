// Which ids end generation. Config files name one EOS, but chat models stop on their
// turn-end marker too (Llama 3: <|eot_id|> besides <|end_of_text|>; Qwen: <|im_end|> and
// <|endoftext|>). Like llama.cpp, we add well-known end markers found among the special
// tokens to whatever the config lists.

const END_MARKERS = [
  '<|eot_id|>', '<|eom_id|>', '<|im_end|>', '<|end|>', '<end_of_turn>', '<|endoftext|>',
  '<|end_of_text|>', '<｜end▁of▁sentence｜>', '<EOT>',
];

export interface StopIdLookup {
  tokenToId(token: string): number | undefined;
  isSpecial(id: number): boolean;
}

/** explicit ids first (deduplicated, nulls dropped), then known end markers that are special. */
export function collectStopIds(explicit: readonly (number | null | undefined)[], vocab: StopIdLookup): number[] {
  const out: number[] = [];
  const add = (id: number | null | undefined) => {
    if (id != null && !out.includes(id)) out.push(id);
  };
  explicit.forEach(add);
  for (const text of END_MARKERS) {
    const id = vocab.tokenToId(text);
    if (id !== undefined && vocab.isSpecial(id)) add(id);
  }
  return out;
}

/**
 * A special token as tokenizer_config.json writes it: a string, null, or an AddedToken
 * object ({"content": "<s>", "__type": "AddedToken", ...}). Returns its text.
 */
export function specialTokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') {
    return (v as { content: string }).content;
  }
  return undefined;
}

/** generation_config.json's eos_token_id: a number or a list of numbers. */
export function idList(v: unknown): number[] {
  const items = Array.isArray(v) ? v : [v];
  return items.filter((x): x is number => Number.isInteger(x) && x >= 0);
}
