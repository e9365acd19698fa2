// What both demo pages share: connect to the tab's engine (the page's own query string,
// e.g. ?relay=1 or ?disable=subgroups, configures the host) and an openai client for /v1.
import OpenAI from 'openai';
import { connectBasert, type BasertTab } from '../runtimes/browser/client.ts';
import type { HostEvent } from '../runtimes/browser/events.ts';

const HOST_PARAMS = ['relay', 'disable', 'manifest', 'ctx'];

export function hostParamsFromPage(): Record<string, string> {
  const q = new URLSearchParams(location.search);
  return Object.fromEntries(HOST_PARAMS.filter((k) => q.has(k)).map((k) => [k, q.get(k)!]));
}

export function connect(onEvent?: (e: HostEvent) => void): Promise<BasertTab> {
  return connectBasert({ params: hostParamsFromPage(), onEvent });
}

/** The official SDK, pointed at this origin: the service worker answers. */
export function openai(): OpenAI {
  return new OpenAI({ baseURL: `${location.origin}/v1`, apiKey: 'sk-none', dangerouslyAllowBrowser: true, maxRetries: 0 });
}

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(0)} KiB`;
}
