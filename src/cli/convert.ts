// `basert convert <hf-dir>`: a Hugging Face model directory to one GGUF file, as
// llama.cpp's convert_hf_to_gguf.py writes it (llama.cpp loads the result).
import { planHfToGguf, isOutType, OUT_TYPE_NAMES, type OutType } from '../loader/convert/index.ts';
import { joinPath, type FileHost } from '../loader/file-host.ts';
import { ggufChunks } from '../loader/gguf/index.ts';
import { openHfModelDir } from '../loader/hf/index.ts';
import { LoaderError } from '../loader/loader-error.ts';
import { typeCounts } from '../loader/quantize.ts';
import { formatSize } from './file-commands.ts';
import { formatHelp, parseFlags, UsageError, type FlagSpec } from './flags.ts';

export const CONVERT_FLAGS: FlagSpec[] = [
  { name: 'outfile', type: 'string', metavar: 'path', help: 'Where to write the GGUF file; a directory gets <dir name>-<OUTTYPE>.gguf (default: inside <hf-dir>).' },
  { name: 'outtype', type: 'string', metavar: OUT_TYPE_NAMES.join('|'), default: 'f16', help: 'Type of the 2-D weights; norms and biases stay f32. auto: bf16 for a bf16 checkpoint, else f16.' },
  { name: 'name', type: 'string', help: 'general.name to record (default: the directory name).' },
  { name: 'pre', type: 'string', help: 'tokenizer.ggml.pre to record instead of detecting it from tokenizer.json.' },
];

export const CONVERT_HELP = formatHelp(
  'basert convert <hf-dir> [--outfile x.gguf] [--outtype f32|f16|bf16|q8_0|auto]',
  'Converts a Hugging Face model directory (config.json, safetensors, tokenizer.json) of a\nLlama, Mistral, Qwen2 or Qwen3 model to GGUF, tokenizer and chat template included, as\nllama.cpp\'s convert_hf_to_gguf.py does. Quantize further with `basert quantize`.',
  CONVERT_FLAGS,
);

export async function runConvert(argv: readonly string[], files: FileHost, out: (t: string) => void): Promise<void> {
  const { values, positionals } = parseFlags(argv, CONVERT_FLAGS);
  if (positionals.length !== 1) throw new UsageError(`convert takes one model directory, got ${positionals.length} arguments`);
  const [dirPath] = positionals;
  const outType = String(values.outtype);
  if (!isOutType(outType)) throw new UsageError(`unknown --outtype "${outType}" (choose ${OUT_TYPE_NAMES.join(', ')})`);
  const kind = await files.stat(dirPath);
  if (kind !== 'dir') {
    const why = kind === 'file' ? 'is a file, not a model directory' : 'no such directory';
    throw new LoaderError('missing-file', dirPath, `${why} (convert takes a Hugging Face model directory${/\.gguf$/i.test(dirPath) ? '; quantize GGUF files with `basert quantize`' : ''})`);
  }
  const started = Date.now();
  const dir = files.openDir(dirPath);
  try {
    const model = await openHfModelDir(dir);
    const plan = await planHfToGguf(model, { outType: outType as OutType, name: values.name as string | undefined, pre: values.pre as string | undefined });
    const label = plan.outType.toUpperCase();
    const base = dirPath.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || 'model';
    const given = values.outfile as string | undefined;
    const outfile = given === undefined || (await files.stat(given)) === 'dir' ? joinPath(given ?? dirPath, `${base}-${label}.gguf`) : given;
    const size = await files.writeFile(outfile, ggufChunks(plan.metadata, plan.tensors));
    out(`wrote ${outfile}: ${model.config.architecture} as ${label}, ${plan.tensors.length} tensors (${typeCounts(plan.tensors)}), ${formatSize(size)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await dir.close?.();
  }
}
