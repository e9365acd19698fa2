// tokenizer.ggml.pre -> the split regexes of a byte-level BPE vocabulary, after llama.cpp's
// llama-vocab.cpp (pre-type names and flags) and the models' tokenizer.json (patterns).
// Each regex splits every piece the previous one produced, keeping unmatched text as
// pieces too: a Sequence of Split(Isolated) pre-tokenizers in tokenizer.json terms.
// Patterns are written as tokenizer.json writes them (Oniguruma, e.g. "(?i:...)");
// @huggingface/tokenizers translates them to JS.

export interface PreTokenizerSpec {
  readonly regexes: readonly string[];
  /** A word that is itself a vocabulary entry is not split by merges (Llama 3, Tekken). */
  readonly ignoreMerges?: boolean;
  /** llama.cpp's add_bos default for this family when the file does not say. */
  readonly addBos?: boolean;
}

const CONTRACTIONS = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)`;
const GPT2 = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;
const LLAMA3 = CONTRACTIONS + String.raw`|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
const QWEN2 = CONTRACTIONS + String.raw`|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
const QWEN35 = CONTRACTIONS + String.raw`|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
const SEED_CODER = CONTRACTIONS + String.raw`|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+`;
const UPPER = String.raw`[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`;
const LOWER = String.raw`[\p{Ll}\p{Lm}\p{Lo}\p{M}]`;
const LEAD = String.raw`[^\r\n\p{L}\p{N}]?`;
const TEKKEN = `${LEAD}${UPPER}*${LOWER}+|${LEAD}${UPPER}+${LOWER}*|` + String.raw`\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
const GPT4O = `${LEAD}${UPPER}*${LOWER}+${CONTRACTIONS}?|${LEAD}${UPPER}+${LOWER}*${CONTRACTIONS}?|` +
  String.raw`\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
// llama.cpp's own multi-regex lists (no single tokenizer.json pattern to copy).
const GPT2_NO_TAIL = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`;
const DEFAULT = [String.raw`[\p{P}\$\+<=>\^~\|]+`, GPT2_NO_TAIL, String.raw`\p{N}+`, '[0-9][0-9][0-9]'];
const FALCON = [String.raw`[\p{P}\$\+<=>\^~\|` + '`]+', GPT2_NO_TAIL, '[0-9][0-9][0-9]'];
const DEEPSEEK_CODER = ['[\r\n]', String.raw`\s?\p{L}+`, String.raw`\s?\p{P}+`, '[一-龥ࠀ-一가-퟿]+', String.raw`\p{N}`];
const DEEPSEEK_V3 = [String.raw`\p{N}{1,3}`, '[一-龥぀-ゟ゠-ヿ]+',
  String.raw`[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_` + '`' + String.raw`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`];
const BLOOM = ' ?[^(\\s|.,!?…。，、।۔،)]+';
const BAILINGMOE = String.raw`'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+`;

const TABLE: [readonly string[], PreTokenizerSpec][] = [
  [['default'], { regexes: DEFAULT }],
  [['llama3', 'llama-v3', 'llama-bpe', 'falcon3', 'falcon-h1', 'pixtral', 'midm-2.0', 'lfm2'],
    { regexes: [LLAMA3], ignoreMerges: true, addBos: true }],
  [['dbrx', 'smaug-bpe', 'chatglm-bpe', 'glm4'], { regexes: [LLAMA3] }],
  [['qwen2', 'deepseek-r1-qwen', 'megrez', 'stablelm2', 'hunyuan', 'solar-open', 'kormo', 'f2llmv2', 'grok-2'],
    { regexes: [QWEN2] }],
  [['qwen35'], { regexes: [QWEN35] }],
  [['gpt-2', 'phi-2', 'jina-es', 'jina-de', 'gigachat', 'jina-v2-es', 'jina-v2-de', 'a.x-4.0', 'mellum',
    'modern-bert', 'mpt', 'olmo', 'jais', 'trillion', 'granite-docling', 'exaone4', 'jina-v1-en',
    'jina-v2-code', 'roberta-bpe'], { regexes: [GPT2] }],
  [['starcoder', 'refact', 'command-r', 'smollm', 'codeshell', 'exaone', 'minerva-7b', 'mellum2'],
    { regexes: [String.raw`\p{N}`, GPT2_NO_TAIL] }],
  [['falcon'], { regexes: FALCON }],
  [['deepseek-coder'], { regexes: DEEPSEEK_CODER }],
  [['deepseek-v3', 'hunyuan-dense', 'joyai-llm', 'hy_v4'], { regexes: DEEPSEEK_V3 }],
  [['tekken'], { regexes: [TEKKEN], ignoreMerges: true, addBos: true }],
  [['gpt-4o', 'llama4', 'kanana2', 'minimax-m2'], { regexes: [GPT4O] }],
  [['seed-coder'], { regexes: [SEED_CODER] }],
  [['bailingmoe', 'bailingmoe2', 'llada-moe'], { regexes: [BAILINGMOE] }],
  [['poro-chat', 'bloom', 'gpt3-finnish'], { regexes: [BLOOM] }],
  [['viking'], { regexes: [BLOOM, String.raw`\p{N}`] }],
];

const BY_NAME = new Map(TABLE.flatMap(([names, spec]) => names.map((n) => [n, spec] as const)));

/** The spec for a tokenizer.ggml.pre value; llama.cpp falls back to "default" when absent. */
export function preTokenizerSpec(pre: string | undefined): PreTokenizerSpec | undefined {
  return BY_NAME.get(pre ?? 'default');
}

export const supportedPreTokenizers = (): string[] => [...BY_NAME.keys()];

/** The tokenizer.json pre_tokenizer for a spec: the splits, then GPT-2's byte-to-unicode map. */
export function byteLevelPreTokenizer(spec: PreTokenizerSpec): Record<string, unknown> {
  return {
    type: 'Sequence',
    pretokenizers: [
      ...spec.regexes.map((r) => ({ type: 'Split', pattern: { Regex: r }, behavior: 'Isolated', invert: false })),
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    ],
  };
}
