// `basert convert` and `basert quantize` end to end on files in a temporary directory:
// once through the real launcher (bin/basert.js -> dist/node/cli.js), the rest through
// runCli with the Node file host; and their errors for bad input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { openFileSource } from '../../runtimes/node/file-source.ts';
import { runCli } from '../../src/cli/main.ts';
import { ggmlTypeName, metaNumber, metaString, readGguf } from '../../src/loader/gguf/index.ts';
import { testModel } from '../helpers/test-models.ts';

let tmp = '';
let modelDir = '';
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'basert-cli-'));
  modelDir = join(tmp, 'tiny-qwen3');
  await cp(await testModel('tiny-qwen3'), modelDir, { recursive: true });
});
after(() => rm(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await runCli(argv, {
    runtime: 'test', gpu: async () => undefined, files: nodeFileHost,
    out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`),
  });
  return { code, out, err };
}

async function header(path: string) {
  const src = await openFileSource(path);
  try {
    return await readGguf(src);
  } finally {
    await src.close();
  }
}

test('launcher: basert convert --outtype q8_0 writes a GGUF; quantizing it again is refused (exit 1)', async () => {
  const out = join(tmp, 'launcher-q8.gguf');
  const run = (...args: string[]) => spawnSync(process.execPath, ['bin/basert.js', ...args], { encoding: 'utf8', timeout: 120_000 });
  const r = run('convert', modelDir, '--outfile', out, '--outtype', 'q8_0');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote .*launcher-q8\.gguf: Qwen3ForCausalLM as Q8_0, 24 tensors \(.*q8_0: \d+.*\)/);
  const g = await header(out);
  assert.equal(metaString(g.metadata, 'general.architecture'), 'qwen3');
  assert.equal(metaNumber(g.metadata, 'general.file_type'), 7);
  const again = run('quantize', out, join(tmp, 'x.gguf'), 'Q4_0');
  assert.equal(again.status, 1);
  assert.match(again.stderr, /basert quantize: .*already q8_0; requantizing loses quality/);
});

test('convert (default f16 and file name; --outfile a directory) then quantize Q4_K_M', async () => {
  const c = await cli('convert', modelDir, '--name', 'Tiny Qwen3');
  assert.equal(c.code, 0, c.err);
  const f16 = join(modelDir, 'tiny-qwen3-F16.gguf');
  assert.match(c.out, new RegExp(`wrote ${f16}: .* as F16`));
  const g = await header(f16);
  assert.equal(metaString(g.metadata, 'general.name'), 'Tiny Qwen3');
  assert.equal(ggmlTypeName(g.tensors.find((t) => t.name === 'blk.0.attn_q.weight')!.type), 'f16');

  const intoDir = await cli('convert', modelDir, '--outfile', tmp, '--outtype', 'bf16');
  assert.equal(intoDir.code, 0, intoDir.err);
  assert.equal((await header(join(tmp, 'tiny-qwen3-BF16.gguf'))).tensors.length, 24);

  const q = await cli('quantize', f16, join(tmp, 'q4km.gguf'), 'q4_k');
  assert.equal(q.code, 0, q.err);
  assert.match(q.out, /Q4_K_M, 24 tensors \(.*q4_K: \d+/);
  const gq = await header(join(tmp, 'q4km.gguf'));
  assert.equal(metaNumber(gq.metadata, 'general.file_type'), 15);
  assert.equal(ggmlTypeName(gq.tensors.find((t) => t.name === 'blk.0.attn_output.weight')!.type), 'q4_K');
});

test('bad input: clear messages, exit 1 (input) or 2 (usage)', async () => {
  const empty = join(tmp, 'empty');
  await mkdir(empty);
  const gpt2 = join(tmp, 'gpt2');
  await mkdir(gpt2);
  await writeFile(join(gpt2, 'config.json'), JSON.stringify({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' }));
  const cases: [string[], number, RegExp][] = [
    [['convert', empty], 1, /empty\/config\.json: missing: a Hugging Face model directory needs config\.json/],
    [['convert', join(tmp, 'nope')], 1, /nope: no such directory/],
    [['convert', gpt2], 1, /architecture GPT2LMHeadModel: basert supports LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, MistralForCausalLM/],
    [['convert', modelDir, '--outtype', 'q4_0'], 2, /unknown --outtype "q4_0" \(choose f32, f16, bf16, q8_0, auto\)/],
    [['convert'], 2, /convert takes one model directory, got 0/],
    [['quantize', join(tmp, 'q4km.gguf'), join(tmp, 'y.gguf'), 'Q2_K'], 2, /unknown quantization type "Q2_K"/],
    [['quantize', modelDir, join(tmp, 'y.gguf'), 'Q8_0'], 1, /is a directory; convert model directories with `basert convert` first/],
    [['quantize', join(modelDir, 'config.json'), join(tmp, 'y.gguf'), 'Q8_0'], 1, /config\.json: not a GGUF file/],
  ];
  for (const [argv, code, message] of cases) {
    const r = await cli(...argv);
    assert.equal(r.code, code, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, message, argv.join(' '));
  }
  const help = await cli('convert', '--help');
  assert.match(help.out, /--outtype <f32\|f16\|bf16\|q8_0\|auto>/);
  assert.match((await cli('quantize', '--help')).out, /Q4_K is an alias for Q4_K_M/);
  assert.match((await cli('help')).out, /convert\s+Convert a Hugging Face model directory to GGUF/);
  assert.equal(JSON.parse(await readFile(join(gpt2, 'config.json'), 'utf8')).model_type, 'gpt2');
});
