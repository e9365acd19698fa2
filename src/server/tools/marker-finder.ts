// Finds literal markers ("<tool_call>", "</think>", "[TOOL_CALLS]") in text that arrives
// in pieces of any size, holding back only what could still become a marker, so a marker
// split across deltas is never passed on as text.

export interface MarkerStep {
  /** Text now known not to be part of a marker. */
  readonly text: string;
  /** The marker that just completed, if any. */
  readonly marker?: string;
}

export class MarkerFinder {
  private held = '';

  constructor(private readonly markers: readonly string[]) {}

  /** Text held back as a possible marker start. */
  get holding(): string {
    return this.held;
  }

  push(ch: string): MarkerStep {
    this.held += ch;
    let text = '';
    for (;;) {
      const marker = this.markers.find((m) => m === this.held);
      if (marker !== undefined) {
        this.held = '';
        return { text, marker };
      }
      if (this.held === '' || this.markers.some((m) => m.startsWith(this.held))) return { text };
      // Not a marker start here; one may begin at a later held character.
      const first = this.held.codePointAt(0)! > 0xffff ? 2 : 1;
      text += this.held.slice(0, first);
      this.held = this.held.slice(first);
    }
  }

  /** Gives up what is held (the stream ended or changed mode); returns it. */
  flush(): string {
    const held = this.held;
    this.held = '';
    return held;
  }
}
