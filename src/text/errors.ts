/**
 * A tokenizer source that cannot be used: missing or corrupt tokenizer.json, GGUF metadata
 * without tokenizer keys, an unsupported tokenizer type. `source` names what was read
 * ("tokenizer.json", "GGUF metadata"); the message says what is missing or wrong.
 */
export class TokenizerLoadError extends Error {
  constructor(readonly source: string, readonly problem: string) {
    super(`${source}: ${problem}`);
    this.name = 'TokenizerLoadError';
  }
}

/** A chat template that cannot be parsed or rendered. */
export class ChatTemplateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChatTemplateError';
  }
}
