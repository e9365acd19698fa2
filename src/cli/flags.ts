// Command-line flags from one table per command: the same spec parses argv and prints
// --help, so every flag is documented by construction.

import { NUMERICS, type Numerics } from '../model/numerics.ts';

export interface FlagSpec {
  name: string; // without dashes: "max-context"
  type: 'string' | 'number' | 'boolean';
  help: string;
  metavar?: string;
  default?: string | number | boolean;
  repeatable?: boolean;
}

export type FlagValues = Record<string, string | number | boolean | (string | number)[] | undefined>;

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): { values: FlagValues; positionals: string[] } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: FlagValues = {};
  for (const s of specs) if (s.default !== undefined) values[s.name] = s.default;
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = arg.slice(2, eq < 0 ? undefined : eq);
    let negated = false;
    if (!byName.has(name) && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'boolean') {
      name = name.slice(3);
      negated = true;
    }
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown flag --${name}`);
    let raw: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    if (spec.type === 'boolean') {
      values[name] = raw === undefined ? !negated : !/^(false|0|no)$/i.test(raw);
      continue;
    }
    if (raw === undefined) {
      raw = argv[++i];
      if (raw === undefined) throw new UsageError(`--${name} needs a value (${spec.metavar ?? spec.type})`);
    }
    let v: string | number = raw;
    if (spec.type === 'number') {
      v = Number(raw);
      if (!Number.isFinite(v)) throw new UsageError(`--${name} expects a number, got "${raw}"`);
    }
    if (spec.repeatable) {
      const prev = values[name];
      values[name] = [...(Array.isArray(prev) ? prev : []), v];
    } else values[name] = v;
  }
  return { values, positionals };
}

export function formatHelp(usage: string, summary: string, specs: readonly FlagSpec[]): string {
  const left = specs.map((s) => `  --${s.name}${s.type === 'boolean' ? '' : ` <${s.metavar ?? s.type}>`}`);
  const width = Math.max(...left.map((l) => l.length), 0) + 2;
  const lines = specs.map((s, i) => {
    const extra = [s.repeatable ? 'repeatable' : '', s.default !== undefined && s.default !== false ? `default: ${s.default}` : '']
      .filter(Boolean)
      .join('; ');
    return `${left[i].padEnd(width)}${s.help}${extra ? ` (${extra})` : ''}`;
  });
  return [`Usage: ${usage}`, '', summary, '', ...(lines.length ? ['Flags:', ...lines] : [])].join('\n');
}

/** `--numerics` (run, serve): one of the model loader's presets. */
export function parseNumerics(v: unknown): Numerics {
  const s = String(v ?? 'default');
  if (!(NUMERICS as readonly string[]).includes(s)) throw new UsageError(`--numerics must be one of ${NUMERICS.join(', ')}, got ${s}`);
  return s as Numerics;
}
