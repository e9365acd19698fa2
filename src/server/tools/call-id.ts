// Tool-call ids. OpenAI's look like "call_" + 24 alphanumerics; Mistral's chat templates
// reject any id that is not exactly 9 alphanumerics when the conversation comes back, so
// Mistral-format calls get ids of that shape.
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomAlnum(n: number): string {
  // 248 = 4·62: bytes at or above it are redrawn so every character is equally likely.
  let out = '';
  while (out.length < n) {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(n * 2));
    for (const b of bytes) if (b < 248 && out.length < n) out += ALNUM[b % 62];
  }
  return out;
}

export function openAiCallId(): string {
  return `call_${randomAlnum(24)}`;
}

export function mistralCallId(): string {
  return randomAlnum(9);
}
