// One choice of a request as the engine runs it: the scheduler's view (tokens, how many are
// cached) plus what turns sampled ids into output: the streaming detokenizer, stop
// strings and stop ids, the max_tokens / context limit, penalty counts, and the grammar
// matcher of a constrained choice.
import type { GrammarMatcher } from '../constrain/index.ts';
import type { SamplingParams } from '../sample/params.ts';
import { TokenCounts } from '../sample/sequence.ts';
import { IncrementalDetokenizer, type Tokenizer } from '../text/index.ts';
import type { SchedSeq } from './scheduler.ts';
import { StopStringMatcher } from './stop-strings.ts';
import type { EngineOutput, FinishReason, TokenLogprob } from './types.ts';

export interface SequenceInit {
  id: string;
  index: number;
  prompt: readonly number[];
  params: SamplingParams;
  seed: number;
  /** Tokens this choice may generate. */
  maxTokens: number;
  /** Ids that end the choice. */
  stopIds: ReadonlySet<number>;
  stopStrings: readonly string[];
  tokenizer: Pick<Tokenizer, 'decode'>;
  skipSpecialTokens: boolean;
  salt: string;
  forkFrom?: SchedSeq;
  /** Constrained decoding: this choice's own matcher (a fresh one per choice). */
  matcher?: GrammarMatcher;
}

export class Sequence implements SchedSeq {
  readonly id: string;
  readonly index: number;
  readonly tokens: number[];
  readonly promptLen: number;
  readonly salt: string;
  readonly forkFrom?: SchedSeq;
  readonly params: SamplingParams;
  readonly seed: number;
  numComputed = 0;
  numCachedTokens = 0;
  preemptions = 0;
  /** Tokens sampled so far (a final stop id included). */
  generated = 0;
  finishReason: FinishReason | null = null;
  /** Penalty history, kept only when a penalty reads it. */
  readonly counts?: TokenCounts;
  /** Constrained decoding: what the output must still match. */
  readonly matcher?: GrammarMatcher;
  private readonly detok: IncrementalDetokenizer;
  private readonly stops: StopStringMatcher;
  private mask: Uint32Array | undefined;

  constructor(private readonly init: SequenceInit) {
    this.id = init.id;
    this.index = init.index;
    this.tokens = [...init.prompt];
    this.promptLen = init.prompt.length;
    this.salt = init.salt;
    this.forkFrom = init.forkFrom;
    this.params = init.params;
    this.seed = init.seed;
    const p = init.params;
    if (p.repetition_penalty !== 1) this.counts = new TokenCounts().addPrompt(init.prompt);
    else if (p.presence_penalty !== 0 || p.frequency_penalty !== 0) this.counts = new TokenCounts();
    this.detok = new IncrementalDetokenizer(init.tokenizer, { promptIds: init.prompt, skipSpecialTokens: init.skipSpecialTokens });
    this.stops = new StopStringMatcher(init.stopStrings);
    this.matcher = init.matcher;
  }

  /**
   * A constrained choice's mask for its next token (reused buffer: valid until the next
   * call), kept completable within the tokens it has left; null when no token is allowed
   * (the grammar cannot go on in this vocabulary: end the choice).
   */
  nextMask(): Uint32Array | null {
    const m = this.matcher!;
    const mask = (this.mask ??= new Uint32Array(m.vocab.maskWords));
    m.fillMask(mask, this.init.maxTokens - this.generated);
    for (let w = 0; w < mask.length; w++) if (mask[w] !== 0) return mask;
    return null;
  }

  get finished(): boolean {
    return this.finishReason !== null;
  }

  /** Takes the token sampled after the last known one; returns the delta to stream. */
  accept(id: number, logprob?: TokenLogprob): EngineOutput {
    this.generated++;
    const m = this.matcher;
    // The mask allowed only what the matcher accepts; a refusal means the step went wrong.
    if (m && !m.accept(id)) return this.finish('stop', this.flush('').text, [], undefined);
    // A constrained choice also ends at the grammar's stop ids (allowed once it may end).
    if (this.init.stopIds.has(id) || (m && m.isTerminated() && m.vocab.stopIds.includes(id))) {
      return this.finish(m?.closedByBudget ? 'length' : 'stop', this.flush('').text, [], undefined, id);
    }
    this.tokens.push(id);
    this.counts?.addOutput(id);
    const scan = this.stops.push(this.detok.push(id));
    const lps = logprob ? [logprob] : undefined;
    if (scan.stop !== undefined) return this.finish('stop', scan.text, [id], lps, scan.stop);
    if (m?.isTerminated()) {
      // Complete, and nothing may follow: done without sampling a stop id.
      const tail = this.flush(scan.text);
      return this.finish(m.closedByBudget && tail.stop === undefined ? 'length' : 'stop', tail.text, [id], lps, tail.stop);
    }
    if (this.generated >= this.init.maxTokens) {
      const tail = this.flush(scan.text);
      return this.finish(tail.stop !== undefined ? 'stop' : 'length', tail.text, [id], lps, tail.stop);
    }
    return { index: this.index, ids: [id], text: scan.text, ...(lps && { logprobs: lps }) };
  }

  /** Ends the choice where it stands with 'stop', its held-back text released (a
   *  constrained choice whose grammar allows no token here). */
  stopHere(): EngineOutput {
    return this.finish('stop', this.flush('').text, [], undefined);
  }

  /** Ends the choice from outside (abort, timeout): the delta that says so. */
  end(reason: FinishReason): EngineOutput {
    this.finishReason = reason;
    return { index: this.index, ids: [], text: '', finishReason: reason };
  }

  /** Text held back by the detokenizer and the stop matcher, now final. */
  private flush(before: string): { text: string; stop?: string } {
    const scan = this.stops.push(this.detok.flush());
    if (scan.stop !== undefined) return { text: before + scan.text, stop: scan.stop };
    return { text: before + scan.text + this.stops.flush() };
  }

  private finish(reason: FinishReason, text: string, ids: number[], logprobs: TokenLogprob[] | undefined, stopReason?: string | number): EngineOutput {
    this.finishReason = reason;
    return {
      index: this.index,
      ids,
      text,
      ...(logprobs && logprobs.length > 0 && { logprobs }),
      finishReason: reason,
      ...(stopReason !== undefined && { stopReason }),
    };
  }
}
