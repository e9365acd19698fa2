// A lost GPU device (here device.destroy()) while the engine runs: the requests in flight
// fail with DeviceLostError instead of hanging, the engine stops, and later requests are
// refused with engine_stopped, so a server can answer 503 and reload the model.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { Engine } from '../../src/engine/engine.ts';
import { EngineRequestError } from '../../src/engine/types.ts';
import { acquireDevice } from '../../src/gpu/device.ts';
import { openModelSource } from '../../src/loader/model-source.ts';
import { loadModel } from '../../src/model/index.ts';
import { samplingParams } from '../../src/sample/params.ts';
import { testModel } from '../helpers/test-models.ts';

it('device loss fails in-flight requests with DeviceLostError and stops the engine', async () => {
  const gpu = await acquireDevice(await findNodeGpu());
  const path = await testModel('tiny-llama', 'q8_0');
  const opened = await openModelSource({ kind: 'gguf', path, paths: [path] }, nodeFileHost);
  const model = await loadModel(gpu, opened, { maxContext: 256 });
  await opened.close();
  const engine = new Engine(model, { continuousBatching: 2 });
  const greedy = samplingParams({ temperature: 0 });
  const h = engine.add({ promptIds: model.tokenizer.encode('Once upon a time'), sampling: greedy, maxTokens: 200, ignoreEos: true });
  let got = 0;
  await assert.rejects(
    (async () => {
      for await (const o of h) {
        got += o.ids.length;
        if (got === 2) gpu.device.destroy();
      }
    })(),
    (e: Error) => e.name === 'DeviceLostError',
  );
  await assert.rejects(h.done, (e: Error) => e.name === 'DeviceLostError');
  assert.ok(got >= 2 && got < 200);
  assert.throws(() => engine.add({ promptIds: [1, 2, 3], sampling: greedy }), (e: EngineRequestError) => e.code === 'engine_stopped');
  await engine.close();
});
