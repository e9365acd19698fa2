// The step scheduler, without prefill/decode phases (as vLLM's v1 scheduler): every
// sequence has the tokens it knows (prompt + generated) and how many of them are in the KV
// cache; a step gives each running sequence up to what it lacks, within a token budget, so
// a decode token and a chunk of someone's prompt ride in the same forward. Integers only:
// the engine turns the result into a batched forward.
//
// Policy: FCFS. Running sequences are served first, in admission order; new ones are
// admitted from the head of the queue while lanes, budget and KV blocks allow (the head
// blocks those behind it, so nobody starves). When a running sequence needs a block and
// none is free, the most recently admitted one is preempted: its blocks are freed and it
// goes back to the head of the queue to be recomputed (prefix caching may spare most of
// that). Without continuous batching, a new batch is admitted only when the last one has
// finished entirely (static batching).
import type { BlockManager } from './block-manager.ts';

export interface SchedSeq {
  readonly id: string;
  /** Prompt + generated so far; the scheduler reads it, the engine appends. */
  readonly tokens: readonly number[];
  /** Tokens whose K/V are in the cache. */
  numComputed: number;
  /** Prompt length (fork sharing covers prompt blocks only). */
  readonly promptLen: number;
  /** Prefix-cache salt. */
  readonly salt: string;
  /** n > 1: the sibling whose prompt blocks this one shares once it has computed them. */
  readonly forkFrom?: SchedSeq;
  /** Prompt tokens served from the cache (or a sibling) at first admission. */
  numCachedTokens: number;
  /** Times this sequence was preempted. */
  preemptions: number;
}

export interface ScheduledSeq {
  readonly seq: SchedSeq;
  readonly blockTable: readonly number[];
  readonly numComputed: number;
  readonly numNew: number;
  /** The chunk reaches the end of the known tokens: its logits give the next token. */
  readonly samples: boolean;
}

export interface SchedulerOptions {
  /** Sequences in flight at once. */
  lanes: number;
  /** Admit into a running batch (true) or only when it is empty (static batching). */
  continuous: boolean;
  /** Tokens per step. */
  tokenBudget: number;
}

export class Scheduler {
  readonly waiting: SchedSeq[] = [];
  readonly running: SchedSeq[] = [];
  preemptions = 0;

  constructor(readonly blocks: BlockManager, readonly opts: SchedulerOptions) {
    if (!(opts.lanes >= 1 && opts.tokenBudget >= 1)) throw new RangeError(`scheduler: lanes ${opts.lanes} and tokenBudget ${opts.tokenBudget} must be >= 1`);
  }

  get hasWork(): boolean {
    return this.waiting.length > 0 || this.running.length > 0;
  }

  add(seq: SchedSeq): void {
    this.waiting.push(seq);
  }

  /** Finished or aborted: out of the queues, blocks freed (cached ones stay findable). */
  remove(seq: SchedSeq): void {
    for (const list of [this.waiting, this.running]) {
      const i = list.indexOf(seq);
      if (i >= 0) list.splice(i, 1);
    }
    if (this.blocks.has(seq.id)) this.blocks.free(seq.id);
  }

  /** The next step's batch (empty when nothing can run). */
  schedule(): ScheduledSeq[] {
    const out: ScheduledSeq[] = [];
    let budget = this.opts.tokenBudget;
    const wasEmpty = this.running.length === 0;

    for (let i = 0; i < this.running.length && budget > 0; i++) {
      const seq = this.running[i];
      const numNew = Math.min(seq.tokens.length - seq.numComputed, budget);
      if (numNew <= 0) continue;
      let preemptedSelf = false;
      while (!this.blocks.grow(seq.id, seq.numComputed + numNew)) {
        const victim = this.running[this.running.length - 1];
        this.preempt(victim);
        if (victim === seq) {
          preemptedSelf = true;
          break;
        }
      }
      if (preemptedSelf) break;
      out.push(this.entry(seq, numNew));
      budget -= numNew;
    }

    const admitting = this.opts.continuous || wasEmpty;
    while (admitting && budget > 0 && this.running.length < this.opts.lanes) {
      // The queue's head, except that a sibling waiting for its fork source to compute the
      // shared prompt lets the requests behind it go first.
      const at = this.waiting.findIndex((s) => !(s.forkFrom && this.forkPending(s)));
      if (at < 0) break;
      const seq = this.waiting[at];
      const numNew = this.admit(seq, budget);
      if (numNew === null) break;
      this.waiting.splice(at, 1);
      this.running.push(seq);
      out.push(this.entry(seq, numNew));
      budget -= numNew;
    }
    return out;
  }

  /** The step ran: the scheduled tokens are in the cache; full blocks become shareable. */
  complete(batch: readonly ScheduledSeq[]): void {
    for (const b of batch) {
      if (!this.blocks.has(b.seq.id)) continue; // finished or aborted meanwhile
      b.seq.numComputed = b.numComputed + b.numNew;
      this.blocks.commit(b.seq.id, b.seq.tokens, b.seq.numComputed);
    }
  }

  private entry(seq: SchedSeq, numNew: number): ScheduledSeq {
    return {
      seq,
      blockTable: this.blocks.blockTable(seq.id),
      numComputed: seq.numComputed,
      numNew,
      samples: seq.numComputed + numNew === seq.tokens.length,
    };
  }

  /** The sibling has not computed the shared prompt yet (and still runs). */
  private forkPending(seq: SchedSeq): boolean {
    const src = seq.forkFrom!;
    return seq.preemptions === 0 && this.blocks.has(src.id) && src.numComputed < this.shareable(seq);
  }

  /** Prompt tokens a fork shares: whole blocks, leaving >= 1 token to compute. */
  private shareable(seq: SchedSeq): number {
    const bs = this.blocks.blockSize;
    return Math.floor((seq.promptLen - 1) / bs) * bs;
  }

  /** Gives `seq` its blocks and returns its first chunk's size, or null (nothing changed). */
  private admit(seq: SchedSeq, budget: number): number | null {
    const src = seq.forkFrom;
    const first = seq.preemptions === 0;
    if (src && first && this.blocks.has(src.id)) {
      const shared = this.blocks.fork(src.id, seq.id, this.shareable(seq));
      if (!this.blocks.grow(seq.id, seq.tokens.length)) {
        this.blocks.free(seq.id);
        return null;
      }
      seq.numComputed = shared;
      seq.numCachedTokens = shared;
    } else {
      // The whole known list gets blocks now, so a prefill never stalls half-way.
      const got = this.blocks.allocate(seq.id, seq.tokens, seq.tokens.length, seq.salt);
      if (!got) return null;
      seq.numComputed = got.numCachedTokens;
      if (first) seq.numCachedTokens = got.numCachedTokens;
    }
    return Math.min(seq.tokens.length - seq.numComputed, budget);
  }

  private preempt(seq: SchedSeq): void {
    this.running.splice(this.running.indexOf(seq), 1);
    this.blocks.free(seq.id);
    seq.numComputed = 0;
    seq.preemptions++;
    this.preemptions++;
    this.waiting.unshift(seq);
  }
}
