// Reasoning models (Qwen3, QwQ, DeepSeek-R1) think inside <think>…</think> before they
// answer; the server returns that text as `reasoning_content`, apart from `content`.
// Rules, applied the same however the reply is split into deltas:
// - <think> counts only as the first thing in the reply (after whitespace); a reply that
//   starts otherwise is all content, any later "<think>" included. With startsInReasoning
//   (the prompt already ends in "<think>\n") the reply starts inside the reasoning.
// - The first </think> ends the reasoning; everything after it is content, markers included.
// - Markers never appear in either part; text that may be a partial marker is held back.
// - Whitespace at the edges of the reasoning and at the start of the content after it is
//   dropped ("<think>\nhmm\n</think>\n\nHi" -> reasoning "hmm", content "Hi").
// - A reply that ends while still reasoning (max_tokens) is all reasoning.
import { MarkerFinder } from './tools/marker-finder.ts';

export interface ReasoningSplitter {
  push(text: string): { reasoning: string; content: string };
  finish(): { reasoning: string; content: string };
}

const OPEN = '<think>';
const CLOSE = '</think>';
const WS = ' \t\n\r';

type State = 'start' | 'reasoning' | 'content';

/** startsInReasoning: the prompt already opened <think> (see promptOpensReasoning). */
export function createReasoningSplitter(opts: { startsInReasoning: boolean }): ReasoningSplitter {
  let state: State = opts.startsInReasoning ? 'reasoning' : 'start';
  let finder = new MarkerFinder(opts.startsInReasoning ? [CLOSE] : [OPEN]);
  /** Whitespace held: before a possible <think>, or inside the reasoning before a possible </think>. */
  let ws = '';
  /** Nothing visible written yet in the current part, so its leading whitespace is dropped. */
  let leading = true;
  let reasoning = '';
  let content = '';

  function reasoningText(s: string): void {
    for (const ch of s) {
      if (WS.includes(ch)) ws += ch;
      else {
        if (!leading) reasoning += ws;
        ws = '';
        leading = false;
        reasoning += ch;
      }
    }
  }

  function feed(ch: string): void {
    if (state === 'content') {
      if (leading && WS.includes(ch)) return;
      leading = false;
      content += ch;
    } else if (state === 'reasoning') {
      const { text, marker } = finder.push(ch);
      reasoningText(text);
      if (marker !== undefined) {
        state = 'content';
        ws = '';
        leading = true;
      }
    } else if (finder.holding === '' && WS.includes(ch)) {
      ws += ch;
    } else {
      const { text, marker } = finder.push(ch);
      if (marker !== undefined) {
        state = 'reasoning';
        finder = new MarkerFinder([CLOSE]);
        ws = '';
      } else if (text !== '') {
        // No <think> first: all content, verbatim.
        state = 'content';
        leading = false;
        content += ws + text + finder.flush();
        ws = '';
      }
    }
  }

  function take(): { reasoning: string; content: string } {
    const out = { reasoning, content };
    reasoning = '';
    content = '';
    return out;
  }

  return {
    push(text: string) {
      for (const ch of text) feed(ch);
      return take();
    },
    finish() {
      if (state === 'start') content += ws + finder.flush();
      else if (state === 'reasoning') reasoningText(finder.flush());
      state = 'content';
      ws = '';
      leading = false;
      return take();
    },
  };
}

/** Whether a rendered prompt ends inside an open <think> (e.g. Qwen3-Thinking, DeepSeek-R1 templates). */
export function promptOpensReasoning(prompt: string): boolean {
  return /<think>\s*$/.test(prompt);
}

/** Whether a chat template knows <think> blocks at all (so replies are worth splitting). */
export function templateUsesReasoning(chatTemplate: string | undefined): boolean {
  return chatTemplate !== undefined && chatTemplate.includes(CLOSE);
}
