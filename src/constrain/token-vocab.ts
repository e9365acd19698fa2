// A tokenizer's vocabulary as the byte strings tokens append to the output, laid out as a
// trie in preorder so one mask walk visits each shared prefix once and skips a refused
// prefix's whole subtree with a single jump. Built once per tokenizer, shared by all matchers.
//
// Tokens are bytes, not strings: a byte-fallback token (<0xE2>) or a byte-level BPE token
// holding part of a UTF-8 character is a valid step the matcher can take mid-character.

/** What a token id contributes to the text: its UTF-8 string, its raw bytes, or null (never emitted). */
export type TokenContent = string | Uint8Array | null | undefined;

export interface TokenVocabOptions {
  /** Mask width in tokens: the model's vocabulary rows (may exceed the tokenizer's ids). */
  readonly size: number;
  /** Per id; null/undefined/empty for ids that never appear in constrained text (control tokens, padding rows). */
  readonly tokenContent: (id: number) => TokenContent;
  /** End-of-generation ids: allowed exactly when the grammar may end. */
  readonly stopIds: Iterable<number>;
}

const encoder = new TextEncoder();

export class TokenVocab {
  readonly size: number;
  /** Mask length in 32-bit words: bit (id & 31) of word (id >> 5) set = allowed. */
  readonly maskWords: number;
  readonly stopIds: readonly number[];
  /** Bytes per token id (null: never allowed by a grammar). */
  readonly tokenBytes: readonly (Uint8Array | null)[];

  // Trie, root excluded, nodes in preorder. Node i adds byte nodeByte[i] at depth
  // nodeDepth[i] (1 = first byte); its subtree is nodes i .. nodeSkip[i]-1; the tokens whose
  // bytes end exactly at node i are tokens[nodeTokens[i] .. nodeTokens[i+1]), so a
  // subtree's tokens are one contiguous run as well.
  readonly numNodes: number;
  readonly nodeByte: Uint8Array;
  readonly nodeDepth: Uint16Array;
  readonly nodeSkip: Int32Array;
  readonly nodeTokens: Int32Array;
  readonly tokens: Int32Array;

  constructor(opts: TokenVocabOptions) {
    this.size = opts.size;
    this.maskWords = Math.ceil(opts.size / 32);
    const stop = new Set<number>();
    for (const id of opts.stopIds) if (Number.isInteger(id) && id >= 0 && id < opts.size) stop.add(id);
    this.stopIds = [...stop].sort((a, b) => a - b);

    const bytes: (Uint8Array | null)[] = new Array(opts.size).fill(null);
    const keyed: { key: string; id: number }[] = [];
    for (let id = 0; id < opts.size; id++) {
      if (stop.has(id)) continue;
      const c = opts.tokenContent(id);
      const b = typeof c === 'string' ? encoder.encode(c) : c ?? null;
      // An empty token would let a sequence grow without the text moving: never allowed.
      if (!b || b.length === 0) continue;
      bytes[id] = b;
      // Latin-1 string of the bytes: the native sort then orders keys bytewise.
      keyed.push({ key: latin1(b), id });
    }
    this.tokenBytes = bytes;
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id - b.id));

    const nodeByte: number[] = [], nodeDepth: number[] = [], nodeSkip: number[] = [], nodeTokens: number[] = [];
    const tokens: number[] = [];
    const open: number[] = []; // node index per depth - 1 along the current path
    let prev = '';
    for (const { key, id } of keyed) {
      let common = 0;
      while (common < prev.length && common < key.length && prev.charCodeAt(common) === key.charCodeAt(common)) common++;
      // Close the nodes of the previous key below the shared prefix.
      while (open.length > common) nodeSkip[open.pop()!] = nodeByte.length;
      for (let d = common; d < key.length; d++) {
        open.push(nodeByte.length);
        nodeByte.push(key.charCodeAt(d));
        nodeDepth.push(d + 1);
        nodeSkip.push(0);
        nodeTokens.push(tokens.length);
      }
      tokens.push(id);
      prev = key;
    }
    while (open.length > 0) nodeSkip[open.pop()!] = nodeByte.length;
    nodeTokens.push(tokens.length);

    this.numNodes = nodeByte.length;
    this.nodeByte = Uint8Array.from(nodeByte);
    this.nodeDepth = Uint16Array.from(nodeDepth);
    this.nodeSkip = Int32Array.from(nodeSkip);
    this.nodeTokens = Int32Array.from(nodeTokens);
    this.tokens = Int32Array.from(tokens);
  }
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}
