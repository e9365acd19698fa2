// A small WGSL preprocessor so one shader file serves every variant of an op:
//   #include "lib/x.wgsl"   inlined once per module (later includes of the same file are dropped)
//   #define NAME [value]    defines a flag or a whole-word text substitution
//   #ifdef / #ifndef / #else / #endif
// `enable ...;` directives are hoisted to the top, as WGSL requires them first.

export type Defines = Record<string, string | number | boolean | undefined>;

export class WgslPreprocessError extends Error {
  override name = 'WgslPreprocessError';
}

/** `sources` maps shader paths relative to shaders/ without extension ("lib/reduce") to text. */
export function preprocessWgsl(entry: string, sources: Readonly<Record<string, string>>, defines: Defines = {}): string {
  const values = new Map<string, string>();
  for (const [k, v] of Object.entries(defines)) {
    if (v === undefined || v === false) continue;
    values.set(k, v === true ? '' : String(v));
  }
  const included = new Set<string>();
  const enables = new Set<string>();
  const body = expand(entry, sources, values, included, enables);
  const header = [...enables].sort().join('\n');
  return (header ? header + '\n' : '') + substitute(body, values);
}

function expand(
  name: string,
  sources: Readonly<Record<string, string>>,
  values: Map<string, string>,
  included: Set<string>,
  enables: Set<string>,
): string {
  const src = sources[name];
  if (src === undefined) throw new WgslPreprocessError(`shader "${name}" not found`);
  included.add(name);
  const out: string[] = [];
  // Each frame: whether this branch is live, and whether the enclosing one was.
  const stack: { live: boolean; parentLive: boolean; sawElse: boolean }[] = [];
  const live = () => stack.length === 0 || stack[stack.length - 1].live;
  const lines = src.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const t = line.trim();
    const where = `${name}.wgsl:${i + 1}`;
    if (t.startsWith('#')) {
      const [directive, ...rest] = t.split(/\s+/);
      const arg = rest.join(' ');
      switch (directive) {
        case '#ifdef':
        case '#ifndef': {
          const parentLive = live();
          const has = values.has(arg);
          stack.push({ live: parentLive && (directive === '#ifdef' ? has : !has), parentLive, sawElse: false });
          break;
        }
        case '#else': {
          const top = stack[stack.length - 1];
          if (!top || top.sawElse) throw new WgslPreprocessError(`${where}: unmatched #else`);
          top.sawElse = true;
          top.live = top.parentLive && !top.live;
          break;
        }
        case '#endif':
          if (!stack.pop()) throw new WgslPreprocessError(`${where}: unmatched #endif`);
          break;
        case '#define':
          if (live()) {
            const [k, ...v] = rest;
            if (!k) throw new WgslPreprocessError(`${where}: #define needs a name`);
            if (!values.has(k)) values.set(k, v.join(' '));
          }
          break;
        case '#include': {
          if (!live()) break;
          const m = /^"(.+?)(\.wgsl)?"$/.exec(arg);
          if (!m) throw new WgslPreprocessError(`${where}: #include needs a "path"`);
          if (!included.has(m[1])) out.push(expand(m[1], sources, values, included, enables));
          break;
        }
        default:
          throw new WgslPreprocessError(`${where}: unknown directive ${directive}`);
      }
      continue;
    }
    if (!live()) continue;
    if (/^enable\s+[\w\s,]+;$/.test(t)) {
      enables.add(t);
      continue;
    }
    out.push(line);
  }
  if (stack.length) throw new WgslPreprocessError(`${name}.wgsl: missing #endif`);
  return out.join('\n');
}

function substitute(text: string, values: Map<string, string>): string {
  // Every define substitutes, empty ones to nothing: flags never appear as identifiers,
  // and an empty macro such as SG_ARGS must vanish from a parameter list.
  const subs = [...values];
  if (!subs.length) return text;
  const map = new Map(subs);
  const re = new RegExp(`\\b(${subs.map(([k]) => k).join('|')})\\b`, 'g');
  return text.replace(re, (k) => map.get(k)!);
}
