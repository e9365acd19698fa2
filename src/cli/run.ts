// `basert run --model M --prompt "..."`: loads a model (GGUF file, HF directory or hub
// id), generates a continuation and prints it as it streams, then one line of timing on
// stderr. Greedy by default; --temperature > 0 samples on the GPU.
import { generate } from '../engine/generate.ts';
import { acquireDevice } from '../gpu/device.ts';
import type { KvBits } from '../gpu/kv-cache.ts';
import type { FileHost } from '../loader/file-host.ts';
import type { HubDeps } from '../loader/hub/index.ts';
import { openModelSource, resolveModelSource } from '../loader/model-source.ts';
import { loadModel, type Model } from '../model/index.ts';
import { resolveSamplingParams } from '../sample/params.ts';
import { ChatTemplate, IncrementalDetokenizer, selectChatTemplate } from '../text/index.ts';
import { formatHelp, parseFlags, parseNumerics, UsageError, type FlagSpec } from './flags.ts';

export const RUN_FLAGS: FlagSpec[] = [
  { name: 'model', type: 'string', metavar: 'path|org/name[:QUANT]', help: 'A .gguf file, a Hugging Face model directory, or a hub id.' },
  { name: 'prompt', type: 'string', metavar: 'text', help: 'The prompt to continue.' },
  { name: 'chat', type: 'boolean', help: "Wrap the prompt as a user message in the model's chat template." },
  { name: 'max-tokens', type: 'number', metavar: 'n', default: 128, help: 'Tokens to generate at most.' },
  { name: 'temperature', type: 'number', metavar: 't', default: 0, help: '0: greedy; above 0: sample.' },
  { name: 'top-p', type: 'number', metavar: 'p', default: 1, help: 'Nucleus sampling mass (with --temperature).' },
  { name: 'top-k', type: 'number', metavar: 'k', default: 0, help: 'Sample among the k most likely tokens; 0: all.' },
  { name: 'seed', type: 'number', metavar: 'n', help: 'Seed for sampling (default: random).' },
  { name: 'kv-bits', type: 'number', metavar: '16|8|4', default: 16, help: 'KV cache element width.' },
  { name: 'max-context', type: 'number', metavar: 'n', help: "Tokens the KV cache holds (default: the model's context, at most 4096)." },
  { name: 'numerics', type: 'string', metavar: 'default|llamacpp|exact', default: 'default', help: 'How arithmetic rounds: default (GGUF: activations rounded to q8/f16 as llama.cpp does; f32 attention), llamacpp (also llama.cpp CPU\'s f16 attention, rounding for rounding: slower), exact (f32 activations and attention).' },
];

export const RUN_HELP = formatHelp(
  'basert run --model <model> --prompt "text" [--chat] [--max-tokens n] [--temperature t] [--seed n] [--kv-bits 16|8|4]',
  'Generates a continuation of the prompt and prints it as it is produced, then the\ntokens per second on stderr.',
  RUN_FLAGS,
);

export interface RunIo {
  files: FileHost;
  gpu(): Promise<GPU | undefined>;
  hub?: () => Promise<HubDeps>;
  /** Streamed text (no newline added). */
  write(text: string): void;
  err(text: string): void;
}

function renderPrompt(model: Model, prompt: string, chat: boolean): number[] {
  const tok = model.tokenizer;
  if (!chat) return tok.encode(prompt);
  const source = selectChatTemplate(model.chatTemplate);
  if (!source) throw new UsageError('--chat: the model has no chat template');
  const token = (id: number | null) => (id === null ? undefined : tok.idToToken(id));
  const template = new ChatTemplate(source, { bosToken: token(tok.special.bos), eosToken: token(tok.special.eos) });
  const text = template.render([{ role: 'user', content: prompt }], { addGenerationPrompt: true });
  return tok.encode(text, { addSpecialTokens: false });
}

export async function runRun(argv: readonly string[], io: RunIo): Promise<void> {
  const { values, positionals } = parseFlags(argv, RUN_FLAGS);
  if (positionals.length) throw new UsageError(`run takes no positional arguments (got "${positionals[0]}"); use --prompt`);
  const spec = values.model as string | undefined;
  const prompt = values.prompt as string | undefined;
  if (!spec) throw new UsageError('run needs --model');
  if (prompt === undefined) throw new UsageError('run needs --prompt');
  const kvBits = Number(values['kv-bits']);
  if (kvBits !== 16 && kvBits !== 8 && kvBits !== 4) throw new UsageError(`--kv-bits must be 16, 8 or 4, got ${kvBits}`);
  const numerics = parseNumerics(values.numerics);
  const maxTokens = Number(values['max-tokens']);
  if (!(Number.isInteger(maxTokens) && maxTokens >= 0)) throw new UsageError(`--max-tokens must be a non-negative integer, got ${maxTokens}`);
  const sampling = resolveSamplingParams({ temperature: values.temperature, top_p: values['top-p'], top_k: values['top-k'], seed: values.seed });

  const source = await resolveModelSource(spec, { files: io.files, hub: io.hub });
  const gpu = await acquireDevice(await io.gpu());
  try {
    const opened = await openModelSource(source, io.files);
    let model: Model;
    try {
      model = await loadModel(gpu, opened, { kvBits: kvBits as KvBits, maxContext: values['max-context'] as number | undefined, numerics });
    } finally {
      await opened.close();
    }
    try {
      const ids = renderPrompt(model, prompt, Boolean(values.chat));
      const detok = new IncrementalDetokenizer(model.tokenizer, { promptIds: ids });
      const run = generate(model, ids, { maxTokens, sampling });
      let r = await run.next();
      while (!r.done) {
        io.write(detok.push(r.value));
        r = await run.next();
      }
      io.write(`${detok.flush()}\n`);
      const s = r.value;
      const rate = s.generatedTokens > 1 ? ((s.generatedTokens - 1) / (s.decodeMs / 1000)).toFixed(1) : '-';
      io.err(`${s.generatedTokens} tokens (${s.finishReason}), ${rate} tokens/s; prompt ${s.promptTokens} tokens, first token after ${(s.firstTokenMs / 1000).toFixed(2)} s`);
    } finally {
      model.destroy();
    }
  } finally {
    gpu.destroy();
  }
}
