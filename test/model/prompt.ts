// The prompt the model tests feed: plain English, 32+ tokens with either tokenizer.
export const PROMPT =
  'The old lighthouse keeper climbed the spiral stairs every evening, lit the great lamp, ' +
  'and watched the fishing boats return through the narrow channel before the storm arrived.';
