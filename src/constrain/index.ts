// Constrained decoding core: grammars (JSON Schema, json_object, GBNF, the Expr IR), a
// byte-level pushdown matcher, and per-token masks over a tokenizer's vocabulary.
// No engine or GPU here: the sampler asks GrammarMatcher for a mask, then accepts the id.
export { ConstraintError } from './errors.ts';
export type { Expr, Grammar } from './grammar.ts';
export { GrammarBuilder, alt, chars, charSet, lit, opt, plus, ref, repeat, seq, star } from './grammar.ts';
export { compileJsonSchema, jsonObjectGrammar } from './json-schema.ts';
export type { JsonGrammarOptions, JsonWhitespace } from './json-pieces.ts';
export { SUPPORTED_FORMATS } from './json-formats.ts';
export { parseGbnf } from './gbnf.ts';
export { CompiledGrammar, compileGrammar, type MatchState } from './pda.ts';
export { CharMatcher, matchesGrammar } from './char-matcher.ts';
export { TokenVocab, type TokenContent, type TokenVocabOptions } from './token-vocab.ts';
export { tokenBytesOf, type TokenizerView } from './token-bytes.ts';
export { GrammarMatcher } from './grammar-matcher.ts';
export { textUntil, type TextUntilOptions } from './text-until.ts';
export { budgetFor, BUDGET_ZONE, CompletionBudget } from './completion-budget.ts';
