// Generates the tiny random-weight test models into .cache/test-models/ (idempotent: what
// exists for the current generator version is kept). Tests generate what they need on
// demand; this prepares everything at once.
//   node --import tsx scripts/gen-test-models.ts [--types f32,f16,Q8_0,Q4_0,Q4_K_M,Q6_K] [model...]
import { testModel, TEST_MODELS_ROOT, TINY_MODEL_NAMES } from '../test/helpers/test-models.ts';
import type { TinyModelName } from '../src/loader/testing/tiny-models.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--types');
const types = at >= 0 ? args.splice(at, 2)[1].split(',') : ['f32', 'f16', 'bf16', 'q8_0', 'Q4_0', 'Q4_K_M', 'Q6_K'];
const names = (args.length ? args : TINY_MODEL_NAMES) as TinyModelName[];
const started = Date.now();
for (const name of names) {
  console.log(await testModel(name));
  for (const type of types) console.log(await testModel(name, type));
}
console.log(`[gen-test-models] ${names.length} models in ${TEST_MODELS_ROOT} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
