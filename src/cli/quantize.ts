// `basert quantize <in.gguf> <out.gguf> <type>`: requantizes a GGUF file the way
// llama-quantize does (see src/loader/quantize-rules.ts for which tensor gets which type).
import type { FileHost } from '../loader/file-host.ts';
import { ggufChunks, readGguf } from '../loader/gguf/index.ts';
import { LoaderError } from '../loader/loader-error.ts';
import { FILE_TYPE_NAMES, fileTypeByName } from '../loader/quantize-rules.ts';
import { planQuantize, typeCounts } from '../loader/quantize.ts';
import { formatSize } from './file-commands.ts';
import { formatHelp, parseFlags, UsageError, type FlagSpec } from './flags.ts';

export const QUANTIZE_FLAGS: FlagSpec[] = [
  { name: 'pure', type: 'boolean', help: 'Give every quantizable tensor the type itself: no Q6_K output or mixed attn_v/ffn_down layers.' },
  { name: 'allow-requantize', type: 'boolean', help: 'Requantize tensors that are already quantized (loses quality; start from F32/F16/BF16 when you can).' },
];

export const QUANTIZE_HELP = formatHelp(
  `basert quantize <in.gguf> <out.gguf> <${FILE_TYPE_NAMES.join('|')}>`,
  'Writes a quantized copy of a GGUF file, choosing each tensor\'s type as llama-quantize does:\n' +
    '1-D tensors and norms are kept, output.weight gets Q6_K (Q8_0 in a Q8_0 file), Q4_K_M gives\n' +
    'some attn_v/ffn_down layers Q6_K, and rows that do not fit the block size fall back\n' +
    '(Q4_K -> Q5_0, Q6_K -> Q8_0, else F16). Q4_K is an alias for Q4_K_M.',
  QUANTIZE_FLAGS,
);

export async function runQuantize(argv: readonly string[], files: FileHost, out: (t: string) => void): Promise<void> {
  const { values, positionals } = parseFlags(argv, QUANTIZE_FLAGS);
  if (positionals.length !== 3) throw new UsageError(`quantize takes <in.gguf> <out.gguf> <type>, got ${positionals.length} arguments`);
  const [input, output, typeName] = positionals;
  const ft = fileTypeByName(typeName);
  if (!ft) throw new UsageError(`unknown quantization type "${typeName}" (choose ${FILE_TYPE_NAMES.join(', ')})`);
  if (input === output) throw new UsageError('the output file must differ from the input file');
  const kind = await files.stat(input);
  if (kind !== 'file') throw new LoaderError('missing-file', input, kind === 'dir' ? 'is a directory; convert model directories with `basert convert` first' : 'no such file');
  const started = Date.now();
  const src = await files.openFile(input);
  try {
    const plan = planQuantize(await readGguf(src), ft.name, { pure: Boolean(values.pure), allowRequantize: Boolean(values['allow-requantize']) });
    const size = await files.writeFile(output, ggufChunks(plan.metadata, plan.tensors));
    out(`wrote ${output}: ${ft.name}, ${plan.tensors.length} tensors (${typeCounts(plan.tensors)}), ${formatSize(size)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await src.close();
  }
}
