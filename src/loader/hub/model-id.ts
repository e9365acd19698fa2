// Hub model ids as `--model` takes them:
//   org/name                      the repository at `main`
//   org/name:Q4_K_M               a GGUF repository, the file for that quant
//   org/name:model-f16.gguf       a GGUF repository, that exact file
//   org/name@v1.0 / org/name:Q8_0@<commit>   a branch, tag or commit
// Deciding between a local path and a hub id is the caller's job (a path that exists
// wins); isHubId only rules out strings that cannot be ids.
import { HubError } from './errors.ts';

export interface HubModelId {
  /** `org/name`. */
  repo: string;
  /** Branch, tag or 40-hex commit; `main` when not given. */
  revision: string;
  /** The `:TAG` part: a quant name (matched in GGUF file names) or a `.gguf` path. */
  quant?: string;
}

export const DEFAULT_REVISION = 'main';

// The hub's rule for both halves: letters, digits, `-`, `_`, `.`; no `--` or `..`
// (the cache uses `--` as its separator); neither end a `-` or `.`; at most 96 chars.
const PART = /^[A-Za-z0-9](?:[\w.-]{0,94}[A-Za-z0-9_])?$/;
const FILE_LIKE = /\.(gguf|safetensors|json|bin)$/i;

export function parseHubId(spec: string): HubModelId {
  const fail = (why: string): never => {
    throw new HubError('bad-id', spec, undefined, `not a hub model id (${why}); expected org/name, org/name:QUANT or org/name@revision`);
  };
  const m = /^([^/:@\s]+)\/([^/:@\s]+)((?:[:@][^:@\s]+)*)$/.exec(spec);
  if (!m) return fail('wrong shape');
  const [, org, name, rest] = m;
  for (const part of [org, name]) {
    if (!PART.test(part) || part.includes('--') || part.includes('..')) fail(`bad name "${part}"`);
  }
  const id: HubModelId = { repo: `${org}/${name}`, revision: DEFAULT_REVISION };
  let sawRevision = false;
  for (const [, sep, value] of rest.matchAll(/([:@])([^:@]+)/g)) {
    if (sep === '@') {
      if (sawRevision) fail('two revisions');
      sawRevision = true;
      id.revision = value;
    } else {
      if (id.quant !== undefined) fail('two quant tags');
      id.quant = value;
    }
  }
  return id;
}

/** False for anything shaped like a local path; true when parseHubId would accept it. */
export function isHubId(spec: string): boolean {
  if (/^[./~\\]/.test(spec) || spec.includes('\\') || /^[A-Za-z]:/.test(spec)) return false;
  const repo = spec.split(/[:@]/, 1)[0];
  if (FILE_LIKE.test(repo)) return false;
  try {
    parseHubId(spec);
    return true;
  } catch {
    return false;
  }
}

export function formatHubId(id: HubModelId): string {
  return id.repo + (id.quant ? `:${id.quant}` : '') + (id.revision !== DEFAULT_REVISION ? `@${id.revision}` : '');
}
