// The Node side of the browser-vs-Node comparison: the same Hono app and Engine that
// `basert serve` runs (src/cli/serve.ts's loader, in process), on Dawn with the test GPU,
// with the engine settings the tab uses (BROWSER_SETTINGS) and the features Chromium's
// SwiftShader lacks turned off, so both run the same kernel variants.
import { Engine } from '../../src/engine/engine.ts';
import { ModelRegistry } from '../../src/engine/model-registry.ts';
import { acquireDevice, type OptionalFeature } from '../../src/gpu/device.ts';
import { openModelSource, resolveModelSource } from '../../src/loader/model-source.ts';
import { loadModel, planModel } from '../../src/model/index.ts';
import { createServerApp, type ServerApp } from '../../src/server/index.ts';
import { BROWSER_SETTINGS } from '../../runtimes/browser/host.ts';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';

export interface NodeReference {
  app: ServerApp;
  /** The app's answer to a JSON POST. */
  post(path: string, body: unknown): Promise<Response>;
  close(): Promise<void>;
}

export async function nodeReference(id: string, modelPath: string, disable: OptionalFeature[]): Promise<NodeReference> {
  const gpu = await acquireDevice(await findNodeGpu(), { disable });
  const s = BROWSER_SETTINGS;
  const registry = new ModelRegistry({
    load: async () => {
      const opened = await openModelSource(await resolveModelSource(modelPath, { files: nodeFileHost }), nodeFileHost);
      try {
        const trained = planModel(gpu, opened, { maxContext: 16 }).config.maxPositionEmbeddings;
        const opts = { kvBits: s.kvBits, maxContext: Math.min(s.maxContext, trained) };
        const plan = planModel(gpu, opened, opts);
        const model = await loadModel(gpu, opened, opts);
        const engine = new Engine(model, { continuousBatching: s.continuousBatching, prefixCache: s.prefixCache, maxContext: opts.maxContext });
        await engine.ready;
        return { engine, memoryBytes: plan.totalBytes, close: async () => { await engine.close(); model.destroy(); } };
      } finally {
        await opened.close();
      }
    },
  });
  registry.register({ id, source: modelPath, type: 'chat' });
  const app = createServerApp({ registry });
  app.ready();
  return {
    app,
    post: async (path, body) => app.fetch(new Request(`http://127.0.0.1${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    })),
    close: async () => {
      await registry.close();
      gpu.destroy();
    },
  };
}
