// What the browser tests share: the web bundles built once into .cache/web-test-*/, the demo
// server (scripts/demo.mjs) with the tiny Qwen3 GGUF on 127.0.0.1, and headless Debian
// Chromium with the flags test/runtimes/chromium.ts documents (SwiftShader WebGPU).
// Every launch uses a fresh profile, so each test starts with an empty model store.
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: an .mjs script without type declarations
import { buildWeb } from '../../scripts/build-web.mjs';
// @ts-expect-error: an .mjs script without type declarations
import { startDemoServer } from '../../scripts/demo.mjs';
import { testModel } from '../helpers/test-models.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../runtimes/chromium.ts';

const CACHE = fileURLToPath(new URL('../../.cache', import.meta.url));
// One folder per test process: node --test runs files in parallel.
mkdirSync(CACHE, { recursive: true });
export const WEB_TEST_OUT = mkdtempSync(`${CACHE}/web-test-`);
process.on('exit', () => rmSync(WEB_TEST_OUT, { recursive: true, force: true }));
export const ARTIFACTS = fileURLToPath(new URL('../../.cache/test-artifacts', import.meta.url));

/** The demo model of these tests: the tiny Qwen3 as a Q8_0 GGUF (16 MiB). */
export const MODEL_ID = 'tiny-qwen3';
export const modelPath = () => testModel('tiny-qwen3', 'q8_0');

export interface DemoServer {
  url: string;
  model: { id: string; file: string; size: number; sha256: string; url: string };
  /** `METHOD /path [range]` of every request the server saw. */
  requests: string[];
  close(): Promise<void>;
}

let built: Promise<unknown> | undefined;

const TEST_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>basert browser test</title></head>
<body><p>basert browser test page</p><script src="test-page.js"></script></body></html>`;

/** The demo's bundles plus test.html, whose script exposes window.basert (page-entry.ts). */
async function buildAll(): Promise<void> {
  await buildWeb({ outdir: WEB_TEST_OUT });
  await build({
    entryPoints: [fileURLToPath(new URL('./page-entry.ts', import.meta.url))],
    outfile: `${WEB_TEST_OUT}/test-page.js`,
    bundle: true, format: 'iife', platform: 'browser', target: 'es2022', sourcemap: 'inline', logLevel: 'warning',
  });
  writeFileSync(`${WEB_TEST_OUT}/test.html`, TEST_PAGE);
}

/** Builds the bundles (once per process) and serves them with the model. */
export async function demoServer(extraModels: object[] = []): Promise<DemoServer> {
  built ??= buildAll();
  await built;
  return startDemoServer({ modelPath: await modelPath(), webDir: WEB_TEST_OUT, modelId: MODEL_ID, extraModels }) as Promise<DemoServer>;
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Page, worker and service-worker console lines, for failure messages. */
  console: string[];
  close(): Promise<void>;
}

export async function launch(opts: { webgpu?: boolean } = {}): Promise<BrowserSession> {
  const args = opts.webgpu === false ? CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu') : CHROMIUM_ARGS;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: 60_000 });
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  const lines: string[] = [];
  page.on('console', (m) => lines.push(`[page ${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`[pageerror] ${e.message}`));
  context.on('serviceworker', (w) => w.on('console', (m) => lines.push(`[sw ${m.type()}] ${m.text()}`)));
  page.on('worker', (w) => w.on('console', (m) => lines.push(`[worker ${m.type()}] ${m.text()}`)));
  return { browser, context, page, console: lines, close: () => browser.close() };
}

/** Saves a screenshot under .cache/test-artifacts/ (git-ignored); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The console tail, to append to assertion messages. */
export const tail = (s: BrowserSession, n = 25) => `\n--- browser console (tail) ---\n${s.console.slice(-n).join('\n')}`;
