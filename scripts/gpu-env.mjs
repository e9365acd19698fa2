// The process environment that gives Dawn (Node, Bun) and wgpu (Deno) a WebGPU adapter
// on a machine without a GPU. Driver search paths are read when a process starts, so
// launchers (bin/basert.js, scripts/test.mjs, scripts/with-gpu.mjs) compute this env and
// start the real process with it. Hardware drivers stay visible (VK_ADD_DRIVER_FILES adds
// to the system's drivers instead of replacing them), so a real GPU still comes first.
//
// Software adapters, in order of preference:
//   1. Mesa >= 25 lavapipe, provisioned into .cache/lavapipe (shader-f16 + subgroups)
//   2. Chromium's SwiftShader Vulkan driver (/usr/lib/chromium), with Chromium's loader
//   3. Dawn's OpenGL backend on a surfaceless EGL display (runtimes/node/gpu.ts falls back
//      to it when Vulkan yields no adapter)
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MIN_MESA_MAJOR = 25;
const CHROMIUM_DIR = '/usr/lib/chromium';

export function cacheDir() {
  return process.env.BASERT_CACHE ?? join(ROOT, '.cache');
}

export function lavapipeDir() {
  return join(cacheDir(), 'lavapipe');
}

/** The provisioned lavapipe, or null. */
export function lavapipeInfo() {
  const f = join(lavapipeDir(), 'env.json');
  if (!existsSync(f)) return null;
  try {
    const info = JSON.parse(readFileSync(f, 'utf8'));
    return existsSync(info.icd) ? info : null;
  } catch {
    return null;
  }
}

function prependPath(value, dir) {
  return value ? `${dir}${delimiter}${value}` : dir;
}

/** Returns { env, software } where software names the software driver added, if any. */
export function gpuEnv(base = process.env) {
  const env = { ...base };
  // Already prepared by a parent launcher, or the user chose their own drivers.
  if (env.BASERT_GPU_ENV || env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES) {
    return { env, software: env.BASERT_GPU_ENV ?? 'user' };
  }
  let software = 'none';
  const lvp = lavapipeInfo();
  if (lvp) {
    env.VK_ADD_DRIVER_FILES = prependPath(env.VK_ADD_DRIVER_FILES, lvp.icd);
    env.LD_LIBRARY_PATH = prependPath(env.LD_LIBRARY_PATH, lvp.libDir);
    software = `lavapipe ${lvp.mesa}`;
  } else if (existsSync(join(CHROMIUM_DIR, 'vk_swiftshader_icd.json'))) {
    env.VK_ADD_DRIVER_FILES = prependPath(env.VK_ADD_DRIVER_FILES, join(CHROMIUM_DIR, 'vk_swiftshader_icd.json'));
    env.LD_LIBRARY_PATH = prependPath(env.LD_LIBRARY_PATH, CHROMIUM_DIR);
    software = 'swiftshader';
  }
  // Lets Dawn's OpenGL fallback open a display-less EGL context.
  env.EGL_PLATFORM ??= 'surfaceless';
  env.BASERT_GPU_ENV = software;
  return { env, software };
}
