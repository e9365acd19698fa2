// One choice of a request as the engine runs it: the scheduler's view (tokens, how many are
// cached) plus what turns sampled ids into output: the streaming detokenizer, stop
// strings and stop ids, the max_tokens / context limit, and penalty counts.
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
  private readonly detok: IncrementalDetokenizer;
  private readonly stops: StopStringMatcher;

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
  }

  get finished(): boolean {
    return this.finishReason !== null;
  }

  /** Takes the token sampled after the last known one; returns the delta to stream. */
  accept(id: number, logprob?: TokenLogprob): EngineOutput {
    this.generated++;
    if (this.init.stopIds.has(id)) return this.finish('stop', this.flush('').text, [], undefined, id);
    this.tokens.push(id);
    this.counts?.addOutput(id);
    const scan = this.stops.push(this.detok.push(id));
    const lps = logprob ? [logprob] : undefined;
    if (scan.stop !== undefined) return this.finish('stop', scan.text, [id], lps, scan.stop);
    if (this.generated >= this.init.maxTokens) {
      const tail = this.flush(scan.text);
      return this.finish(tail.stop !== undefined ? 'stop' : 'length', tail.text, [id], lps, tail.stop);
    }
    return { index: this.index, ids: [id], text: scan.text, ...(lps && { logprobs: lps }) };
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
