// Text layer: tokenizers (tokenizer.json or a GGUF's vocabulary), streaming
// detokenization, chat templates.
export type { AddedTokenInfo, DecodeOptions, EncodeOptions, SpecialTokenIds, Tokenizer } from './tokenizer.ts';
export { ChatTemplateError, TokenizerLoadError } from './errors.ts';
export { loadHfTokenizer, type HfTokenizerFiles } from './hf-load.ts';
export { HfTokenizer } from './hf-tokenizer.ts';
export { tokenizerFromGguf } from './gguf-tokenizer.ts';
export { readGgufVocab, TokenType, type GgufMetadataLike, type GgufVocab } from './gguf-vocab.ts';
export { supportedPreTokenizers } from './gguf-pre-tokenizers.ts';
export { IncrementalDetokenizer, type DetokenizerOptions } from './detokenizer.ts';
export {
  ChatTemplate, chatTemplateFromConfig, chatTemplateFromGguf, selectChatTemplate,
  type ChatMessage, type ChatRenderOptions, type ChatTemplateSource,
} from './chat-template.ts';
