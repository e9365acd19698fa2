// Stop strings over a text stream that arrives in arbitrary pieces (one token's text at a
// time): text is released only once it cannot be the start of a stop string, so a stop
// string split across tokens is still caught and never streamed. OpenAI semantics: the
// output ends just before the earliest match; the stop string itself is not returned.

export interface StopScan {
  /** Text safe to emit now. */
  text: string;
  /** The stop string that matched (generation ends), if any. */
  stop?: string;
}

export class StopStringMatcher {
  private held = '';
  private readonly stops: readonly string[];
  private readonly longest: number;

  constructor(stops: readonly string[] = []) {
    this.stops = stops.filter((s) => s.length > 0);
    this.longest = Math.max(0, ...this.stops.map((s) => s.length));
  }

  get active(): boolean {
    return this.stops.length > 0;
  }

  /** Adds a piece of text; returns what may be emitted and whether a stop string matched. */
  push(piece: string): StopScan {
    if (!this.active) return { text: piece };
    const text = this.held + piece;
    // Earliest match wins; among matches at the same place, the longest.
    let at = -1;
    let stop: string | undefined;
    for (const s of this.stops) {
      const i = text.indexOf(s);
      if (i >= 0 && (at < 0 || i < at || (i === at && s.length > stop!.length))) {
        at = i;
        stop = s;
      }
    }
    if (stop !== undefined) {
      this.held = '';
      return { text: text.slice(0, at), stop };
    }
    const keep = this.partialSuffix(text);
    this.held = text.slice(text.length - keep);
    return { text: text.slice(0, text.length - keep) };
  }

  /** End of stream without a match: the held-back text is ordinary output. */
  flush(): string {
    const t = this.held;
    this.held = '';
    return t;
  }

  /** Length of the longest suffix of `text` that is a proper prefix of some stop string. */
  private partialSuffix(text: string): number {
    for (let n = Math.min(this.longest - 1, text.length); n > 0; n--) {
      const tail = text.slice(text.length - n);
      if (this.stops.some((s) => s.startsWith(tail))) return n;
    }
    return 0;
  }
}
