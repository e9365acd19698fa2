// Which .gguf file(s) of a repository a model id means. A "unit" is one loadable model:
// a single file, or a split set `<base>-00001-of-0000N.gguf` … (all N parts). Vision
// projectors (mmproj-*.gguf) are never the model.
import { HubError } from './errors.ts';

export interface GgufUnit {
  /** The file that names the unit: the single file, or part 1 of a split set. */
  label: string;
  /** Every file to download, parts in order. */
  files: string[];
}

/** Quants tried, in order, when the id names none: a good size/quality default, then a near-lossless one. */
export const DEFAULT_QUANTS = ['Q4_K_M', 'Q8_0'];

const SPLIT = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;
const isModelGguf = (p: string) => /\.gguf$/i.test(p) && !/^mmproj/i.test(p.slice(p.lastIndexOf('/') + 1));

/** The loadable units among `paths`; split sets missing a part are left out. */
export function ggufUnits(paths: readonly string[]): GgufUnit[] {
  const units: GgufUnit[] = [];
  const sets = new Map<string, { count: number; parts: Map<number, string> }>();
  for (const p of paths.filter(isModelGguf)) {
    const m = SPLIT.exec(p);
    if (!m) {
      units.push({ label: p, files: [p] });
      continue;
    }
    const key = `${m[1]}\0${m[3]}`;
    const set = sets.get(key) ?? { count: Number(m[3]), parts: new Map() };
    set.parts.set(Number(m[2]), p);
    sets.set(key, set);
  }
  for (const { count, parts } of sets.values()) {
    const files = Array.from({ length: count }, (_, i) => parts.get(i + 1));
    if (count > 0 && files.every((f) => f !== undefined)) units.push({ label: files[0]!, files: files as string[] });
  }
  return units;
}

export const hasGguf = (paths: readonly string[]) => paths.some(isModelGguf);

/** `quant` as a whole token of the path: Q4_K matches `-Q4_K.gguf`, not `-Q4_K_M.gguf`. */
export function quantToken(quant: string): RegExp {
  const q = quant.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[-./_])${q}(?=[-.]|$)`, 'i');
}

// Single files before split sets, then the shortest name (`X-Q4_K_M` before `X-UD-Q4_K_M`).
const preference = (a: GgufUnit, b: GgufUnit) =>
  a.files.length - b.files.length || a.label.length - b.label.length || (a.label < b.label ? -1 : 1);

/** The unit `quant` picks (undefined when none does), without throwing. */
export function pickGguf(units: readonly GgufUnit[], quant: string | undefined): GgufUnit | undefined {
  if (quant !== undefined && /\.gguf$/i.test(quant)) {
    const q = quant.toLowerCase();
    return units.find((u) => u.files.some((f) => f.toLowerCase() === q || f.toLowerCase().endsWith(`/${q}`)));
  }
  const byToken = (q: string) => units.filter((u) => quantToken(q).test(u.label)).sort(preference)[0];
  if (quant === undefined) {
    for (const q of DEFAULT_QUANTS) {
      const u = byToken(q);
      if (u) return u;
    }
    return [...units].sort((a, b) => (a.label < b.label ? -1 : 1))[0];
  }
  const lower = quant.toLowerCase();
  return byToken(quant) ?? units.filter((u) => u.label.toLowerCase().includes(lower)).sort(preference)[0];
}

/** The files of the unit `quant` picks from a repository's `paths`; throws `no-match`. */
export function selectGguf(repo: string, paths: readonly string[], quant: string | undefined): GgufUnit {
  const units = ggufUnits(paths);
  const unit = pickGguf(units, quant);
  if (unit) return unit;
  if (units.length === 0) {
    const why = hasGguf(paths) ? 'its split .gguf sets are missing parts' : 'it has no .gguf model files';
    throw new HubError('no-match', repo, undefined, `no GGUF model to load: ${why}`);
  }
  const names = units.map((u) => (u.files.length > 1 ? `${u.label} (split, ${u.files.length} parts)` : u.label));
  const shown = names.slice(0, 20).join(', ') + (names.length > 20 ? `, … (${names.length} in all)` : '');
  throw new HubError('no-match', repo, undefined, `no GGUF file matches "${quant}"; the repository has: ${shown}`);
}
