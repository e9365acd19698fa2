// The environment variables huggingface_hub reads, resolved the same way, so basert and
// the Python tools share one cache and one token. The runtime passes the variables and
// the home directory in (and the stored token file's text, which it reads itself).

export interface HubEnv {
  /** Hub base URL without a trailing slash (HF_ENDPOINT). */
  endpoint: string;
  /** Bearer token (HF_TOKEN, HUGGING_FACE_HUB_TOKEN, or the stored token file). */
  token?: string;
  /** Never touch the network; use only what the cache holds (HF_HUB_OFFLINE). */
  offline: boolean;
  /** The hub cache root: the folder holding `models--org--name/`. */
  cacheDir: string;
}

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

export type EnvVars = Readonly<Record<string, string | undefined>>;

const TRUE_VALUES = new Set(['1', 'ON', 'YES', 'TRUE']);
const isTrue = (v: string | undefined) => v !== undefined && TRUE_VALUES.has(v.trim().toUpperCase());
const nonEmpty = (v: string | undefined) => (v !== undefined && v.trim() !== '' ? v.trim() : undefined);

function expandHome(path: string, home: string): string {
  return path === '~' ? home : /^~[/\\]/.test(path) ? home + path.slice(1) : path;
}

/** HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. */
export function hfHome(vars: EnvVars, home: string): string {
  const explicit = nonEmpty(vars.HF_HOME);
  if (explicit) return expandHome(explicit, home);
  const xdg = nonEmpty(vars.XDG_CACHE_HOME);
  return `${xdg ? expandHome(xdg, home) : `${home}/.cache`}/huggingface`;
}

/** Where `huggingface-cli login` stores the token: HF_TOKEN_PATH, else HF_HOME/token. */
export function hubTokenPath(vars: EnvVars, home: string): string {
  const explicit = nonEmpty(vars.HF_TOKEN_PATH);
  return explicit ? expandHome(explicit, home) : `${hfHome(vars, home)}/token`;
}

/**
 * @param storedToken the text of the file at hubTokenPath(), if the runtime found one.
 */
export function resolveHubEnv(vars: EnvVars, home: string, storedToken?: string): HubEnv {
  const cache = nonEmpty(vars.HF_HUB_CACHE) ?? nonEmpty(vars.HUGGINGFACE_HUB_CACHE);
  const token = nonEmpty(vars.HF_TOKEN) ?? nonEmpty(vars.HUGGING_FACE_HUB_TOKEN) ?? nonEmpty(storedToken);
  return {
    endpoint: (nonEmpty(vars.HF_ENDPOINT) ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, ''),
    ...(token ? { token } : {}),
    offline: isTrue(vars.HF_HUB_OFFLINE) || isTrue(vars.TRANSFORMERS_OFFLINE),
    cacheDir: cache ? expandHome(cache, home) : `${hfHome(vars, home)}/hub`,
  };
}
