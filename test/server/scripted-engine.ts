// A stand-in engine for the HTTP tests of what random weights never produce (tool calls,
// <think> reasoning, exact token counts): it "generates" a scripted reply, token by token,
// through the REAL tokenizer and incremental detokenizer of a REAL loaded model, so every
// layer from the engine's output to the client is the production code. Only the choice of
// tokens is scripted. Used by scripted.test.ts; the real engine is tested everywhere else.
import type { ServingEngine } from '../../src/engine/model-registry.ts';
import type { EngineOutput, EngineRequest, EngineStats, RequestHandle } from '../../src/engine/types.ts';
import type { Model } from '../../src/model/index.ts';
import { IncrementalDetokenizer } from '../../src/text/index.ts';

export class ScriptedEngine implements ServingEngine {
  readonly maxContext = 2048;
  /** Prompts seen, as text, newest last. */
  readonly prompts: string[] = [];

  constructor(
    readonly model: Model,
    /** The reply for a rendered prompt. */
    private readonly reply: (prompt: string) => string,
  ) {}

  add(req: EngineRequest): RequestHandle {
    const tok = this.model.tokenizer;
    const prompt = tok.decode([...req.promptIds]);
    this.prompts.push(prompt);
    const ids = tok.encode(this.reply(prompt), { addSpecialTokens: false });
    const n = req.n ?? 1;
    const limit = req.maxTokens ?? ids.length;
    const outputs: EngineOutput[] = [];
    for (let i = 0; i < n; i++) {
      const detok = new IncrementalDetokenizer(tok, { promptIds: req.promptIds });
      const used = ids.slice(0, limit);
      used.forEach((id, k) => {
        const last = k === used.length - 1;
        const text = detok.push(id) + (last ? detok.flush() : '');
        outputs.push({ index: i, ids: [id], text, ...(last && { finishReason: used.length < ids.length ? 'length' : 'stop' }) });
      });
    }
    const usage = { promptTokens: req.promptIds.length, completionTokens: outputs.length, cachedPromptTokens: 0 };
    async function* stream() {
      for (const o of outputs) {
        await new Promise((r) => setTimeout(r, 1));
        yield o;
      }
    }
    const it = stream();
    return { id: 'scripted', done: Promise.resolve(usage), abort: () => void it.return(undefined), [Symbol.asyncIterator]: () => it };
  }

  stats(): EngineStats {
    return { running: 0, waiting: 0, kvBlocksTotal: 1, kvBlocksUsed: 0, prefixQueryTokens: 0, prefixHitTokens: 0, promptTokens: 0, generatedTokens: 0, steps: 0, preemptions: 0 };
  }

  async close(): Promise<void> {}
}
