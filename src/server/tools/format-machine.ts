// One tool-call format's reader: fed the reply a character (code point) at a time, it
// writes content and call deltas to its ChunkSink.
export interface FormatMachine {
  feed(ch: string): void;
  /** The reply ended. */
  end(): void;
}
