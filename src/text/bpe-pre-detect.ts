// Which tokenizer.ggml.pre a byte-level BPE tokenizer.json gets, found the way llama.cpp's
// convert_hf_to_gguf.py finds it (get_vocab_base_pre): encode a fixed check text with the
// tokenizer (special tokens added, as transformers' encode() does), hash Python's
// str(ids) with SHA-256, and look the hash up in a table of known models. The table keeps
// the entries whose pre-tokenizers basert implements (gguf-pre-tokenizers.ts).
import { TokenizerLoadError } from './errors.ts';
import { loadHfTokenizer, type HfTokenizerFiles } from './hf-load.ts';

export const PRE_CHECK_TEXT = '\n \n\n \n\n\n \t \t\t \t\n  \n   \n    \n     \n🚀 (normal) 😶\u200d🌫️ (multiple emojis concatenated) ✅ 🦙🦙 3 33 333 3333 33333 333333 3333333 33333333 3.3 3..3 3...3 កាន់តែពិសេសអាច😁 ?我想在apple工作1314151天～ ------======= нещо на Български \'\'\'\'\'\'```````""""......!!!!!!?????? I\'ve been \'told he\'s there, \'RE you sure? \'M not sure I\'ll make it, \'D you like some tea? We\'Ve a\'lL';

/** chkhsh -> tokenizer.ggml.pre (the model llama.cpp took the hash from in the comment). */
const KNOWN: Record<string, string> = {
  '0ef9807a4087ebef797fc749390439009c3b9eda9ad1a097abbe738f486c01e5': 'llama-bpe', // meta-llama/Meta-Llama-3-8B
  'c136ed14d01c2745d4f60a9596ae66800e2b61fa45643e72436041855ad4089d': 'smaug-bpe', // Llama 3 without the BOS post-processor
  'e636dc30a262dcc0d8c323492e32ae2b70728f4df7dfe9737d9f920a282b8aea': 'qwen2', // Qwen/Qwen1.5-7B (Qwen2, 2.5, 3)
  'd4540891389ea895b53b399da6ac824becc30f2fba0e9ddbb98f92e55ca0e97c': 'qwen2', // Qwen/Qwen3-Embedding-0.6B
  'b3f499bb4255f8ca19fccd664443283318f2fd2414d5e0b040fbdd0cc195d6c5': 'deepseek-r1-qwen',
  '63b97e4253352e6f357cc59ea5b583e3a680eaeaf2632188c2b952de2588485e': 'tekken', // mistralai/Mistral-Nemo-Base-2407
  '0e9433cbbb161f89e264eb32e8e64bfe69e834973ffca5d41d3948a604a3e2a3': 'pixtral',
  '855059429035d75a914d1eda9f10a876752e281a054a7a3d421ef0533e5b6249': 'smollm', // HuggingFaceTB/SmolLM-135M
  '9d032fcbd5501f4a38150912590928bfb36091efb5df11b8e2124b0390e3fb1e': 'falcon3',
  '3ce83efda5659b07b1ad37ca97ca5797ea4285d9b9ab0dc679e4a720c9da7454': 'gpt-2', // openai-community/gpt2
  'ccc2ef013c104be7bae2965776d611e1d7a8a2a9c547dd93a682c9a9fc80352e': 'gpt-4o',
  'd353350c764d8c3b39c763113960e4fb4919bea5fbf208a0e3b22e8469dc7406': 'llama4',
  '877081d19cf6996e2c4ff0e1236341e9b7bde288f5311a56a937f0afbbb3aeb5': 'deepseek-v3',
  '347715f544604f9118bb75ed199f68779f423cabb20db6de6f31b908d04d7821': 'deepseek-coder',
  'd4c8f286ea6b520b3d495c4455483cfa2302c0cfcd4be05d781b6a8a0a7cdaf1': 'megrez',
  '32d85c31273f8019248f2559fed492d929ea28b17e51d81d3bb36fff23ca72b3': 'stablelm2',
  '35d91631860c815f952d711435f48d356ebac988362536bed955d43bfa436e34': 'starcoder',
  '9c2227e4dd922002fb81bde4fc02b0483ca4f12911410dee2255e4987644e3f8': 'command-r',
  'a8594e3edff7c29c003940395316294b2c623e09894deebbc65f33f1515df79e': 'dbrx',
  'b6dc8df998e1cfbdc4eac8243701a65afe638679230920b50d6f17d81c098166': 'olmo', // also mpt: the same split
  'd5f1dd6f980fec569fb218a81a7658ac45fc56b38c5a0adeb1c232fbe04ef5ec': 'seed-coder',
  '169bf0296a13c4d9b7672313f749eb36501d931022de052aad6e36f2bf34dd51': 'lfm2',
  'f6791d196f87ce6b56a7d234be618e0d58f8cda3549416635b2bebcd22cd95c4': 'midm-2.0',
};

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The check hash of a tokenizer (what llama.cpp's converter prints as chkhsh). */
export async function bpePreCheckHash(files: HfTokenizerFiles): Promise<string> {
  const ids = loadHfTokenizer(files).encode(PRE_CHECK_TEXT);
  return sha256Hex(`[${ids.join(', ')}]`);
}

/** tokenizer.ggml.pre for this tokenizer; throws (naming the hash) when the table lacks it. */
export async function detectBpePre(files: HfTokenizerFiles): Promise<string> {
  const hash = await bpePreCheckHash(files);
  const pre = KNOWN[hash];
  if (pre) return pre;
  throw new TokenizerLoadError('tokenizer.json', `BPE pre-tokenizer not recognized (chkhsh ${hash}); name it explicitly (e.g. --pre llama-bpe or --pre qwen2)`);
}
