#!/usr/bin/env node
// Prints the WebGPU adapter Dawn finds in this environment as one JSON line, or exits 1.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
let adapter = await create([]).requestAdapter();
let backend = 'default';
if (!adapter) {
  process.env.EGL_PLATFORM ??= 'surfaceless';
  adapter = await create(['backend=opengl']).requestAdapter({ featureLevel: 'compatibility' });
  backend = 'opengl';
}
if (!adapter) process.exit(1);
const info = adapter.info;
console.log(JSON.stringify({
  backend,
  vendor: info.vendor,
  architecture: info.architecture,
  description: info.description,
  isFallback: Boolean(info.isFallbackAdapter) || info.architecture === 'software' || /llvmpipe|swiftshader/i.test(info.description),
  features: [...adapter.features],
}));
process.exit(0);
