#!/usr/bin/env node
// Provisions Mesa >= 25 lavapipe (a software Vulkan driver with shader-f16 and subgroups)
// into a project-local cache without root, on Debian/Ubuntu: `apt-get download` from the
// release's backports/updates suite, then `dpkg-deb -x` into .cache/lavapipe/root.
// The mirror is taken from the machine's own apt sources; none is written here.
// Stock Debian 12 lavapipe (22.3) is too old for Dawn, hence the newer suite.
//
//   node scripts/provision-lavapipe.mjs [--force]     prints the cache dir on success
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lavapipeDir, MIN_MESA_MAJOR } from './gpu-env.mjs';

const log = (m) => console.error(`[provision-lavapipe] ${m}`);

/** Debian/Ubuntu apt sources as {uri, suites, components, signedBy}, from one-line and deb822 files. */
export function readAptSources(etc = '/etc/apt') {
  const out = [];
  const files = [];
  if (existsSync(join(etc, 'sources.list'))) files.push(join(etc, 'sources.list'));
  const dir = join(etc, 'sources.list.d');
  if (existsSync(dir)) for (const f of readdirSync(dir).sort()) if (/\.(list|sources)$/.test(f)) files.push(join(dir, f));
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    if (f.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const fields = {};
        for (const line of stanza.split('\n')) {
          const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
          if (m) fields[m[1].toLowerCase()] = m[2].trim();
        }
        if (!fields.uris || !(fields.types ?? '').split(/\s+/).includes('deb')) continue;
        if ((fields.enabled ?? 'yes').toLowerCase() === 'no') continue;
        for (const uri of fields.uris.split(/\s+/))
          out.push({ uri, suites: fields.suites.split(/\s+/), components: (fields.components ?? 'main').split(/\s+/), signedBy: fields['signed-by'] });
      }
    } else {
      for (const raw of text.split('\n')) {
        const line = raw.replace(/#.*/, '').trim();
        const m = /^deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
        if (!m) continue;
        const signed = /signed-by=([^\s\]]+)/.exec(m[1] ?? '');
        out.push({ uri: m[2], suites: [m[3]], components: m[4].split(/\s+/).filter(Boolean), signedBy: signed?.[1] });
      }
    }
  }
  return out;
}

function osRelease() {
  const text = readFileSync('/etc/os-release', 'utf8');
  const get = (k) => new RegExp(`^${k}="?([^"\\n]*)"?`, 'm').exec(text)?.[1] ?? '';
  return { id: get('ID'), like: get('ID_LIKE'), codename: get('VERSION_CODENAME') };
}

function aptOpts(work) {
  return [
    '-o', `Dir::Etc::SourceList=${join(work, 'sources.list')}`,
    '-o', 'Dir::Etc::SourceParts=/dev/null',
    '-o', `Dir::State::Lists=${join(work, 'lists')}`,
    '-o', `Dir::Cache=${join(work, 'cache')}`,
    '-o', 'Debug::NoLocking=1',
    '-o', 'APT::Sandbox::User=root',
  ];
}

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });

function installedVersion(pkg) {
  try {
    return run('dpkg-query', ['-W', '-f=${Status}|${Version}', pkg]).match(/install ok installed\|(.+)/)?.[1] ?? null;
  } catch {
    return null;
  }
}

function satisfies(version, op, want) {
  if (!version) return false;
  if (!op) return true;
  const dpkgOp = { '>=': 'ge', '<=': 'le', '>>': 'gt', '<<': 'lt', '=': 'eq' }[op];
  try {
    execFileSync('dpkg', ['--compare-versions', version, dpkgOp, want]);
    return true;
  } catch {
    return false;
  }
}

/** [{name, op, version}] from a Depends line (first of each alternative). */
function parseDepends(line) {
  return line.split(',').map((alt) => {
    const m = /^\s*([a-z0-9.+-]+)(?::\w+)?\s*(?:\(\s*([<>=]+)\s*([^)]+)\))?/.exec(alt.split('|')[0]);
    return { name: m[1], op: m[2], version: m[3]?.trim() };
  });
}

export function provisionLavapipe({ force = false } = {}) {
  const dir = lavapipeDir();
  if (!force && existsSync(join(dir, 'env.json'))) return dir;
  const os = osRelease();
  if (!/debian|ubuntu/.test(`${os.id} ${os.like}`) || !os.codename) {
    throw new Error(`lavapipe provisioning supports Debian and Ubuntu only (this is ${os.id || 'unknown'})`);
  }
  const base = readAptSources().find((s) => s.suites.includes(os.codename) && s.components.includes('main'));
  if (!base) throw new Error(`no apt source for ${os.codename} main in /etc/apt; cannot find a mirror`);
  const work = `${dir}.tmp`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'lists/partial'), { recursive: true });
  mkdirSync(join(work, 'cache/archives/partial'), { recursive: true });
  mkdirSync(join(work, 'debs'), { recursive: true });
  const suites = [os.codename, `${os.codename}-updates`, `${os.codename}-backports`];
  const signed = base.signedBy ? `[signed-by=${base.signedBy}] ` : '';
  const comps = os.id === "ubuntu" || /ubuntu/.test(os.like) ? "main universe" : "main";
  writeFileSync(join(work, "sources.list"), suites.map((s) => `deb ${signed}${base.uri} ${s} ${comps}`).join('\n') + '\n');
  log(`apt-get update (${suites.join(', ')}) from the machine's configured mirror`);
  run('apt-get', [...aptOpts(work), 'update'], { stdio: ['ignore', 'ignore', 'pipe'] });

  // The newest mesa-vulkan-drivers any of those suites carries.
  const policy = run('apt-cache', [...aptOpts(work), 'madison', 'mesa-vulkan-drivers']);
  const versions = [...policy.matchAll(/\|\s*(\S+)\s*\|/g)].map((m) => m[1]);
  const best = versions.find((v) => Number(/^(?:\d+:)?(\d+)/.exec(v)?.[1]) >= MIN_MESA_MAJOR);
  if (!best) throw new Error(`no mesa-vulkan-drivers >= ${MIN_MESA_MAJOR} in ${suites.join(', ')} (found ${versions.join(', ') || 'none'})`);

  // Download it and, transitively, every dependency the machine does not already satisfy.
  const want = new Map([['mesa-vulkan-drivers', best]]);
  const queue = ['mesa-vulkan-drivers'];
  const seen = new Set(queue);
  while (queue.length) {
    const pkg = queue.shift();
    const show = run('apt-cache', [...aptOpts(work), 'show', `${pkg}=${want.get(pkg)}`]);
    const deps = /^Depends:\s*(.+)$/m.exec(show)?.[1];
    for (const d of deps ? parseDepends(deps) : []) {
      if (seen.has(d.name) || satisfies(installedVersion(d.name), d.op, d.version)) continue;
      seen.add(d.name);
      const cands = [...run('apt-cache', [...aptOpts(work), 'madison', d.name]).matchAll(/\|\s*(\S+)\s*\|/g)].map((m) => m[1]);
      const v = cands.find((c) => satisfies(c, d.op, d.version));
      if (!v) throw new Error(`cannot satisfy ${d.name} ${d.op ?? ''} ${d.version ?? ''} for ${pkg}`);
      want.set(d.name, v);
      queue.push(d.name);
    }
  }
  log(`downloading ${[...want].map(([p, v]) => `${p}=${v}`).join(' ')}`);
  run('apt-get', [...aptOpts(work), 'download', ...[...want].map(([p, v]) => `${p}=${v}`)], { cwd: join(work, 'debs') });
  const root = join(work, 'root');
  for (const deb of readdirSync(join(work, 'debs'))) run('dpkg-deb', ['-x', join(work, 'debs', deb), root]);

  // Point an ICD manifest at the unpacked driver by absolute path.
  const libDir = readdirSync(join(root, 'usr/lib'))
    .map((d) => join(root, 'usr/lib', d))
    .find((d) => existsSync(join(d, 'libvulkan_lvp.so')));
  if (!libDir) throw new Error('libvulkan_lvp.so missing from the unpacked packages');
  const icd = JSON.parse(readFileSync(join(root, 'usr/share/vulkan/icd.d/lvp_icd.json'), 'utf8'));
  rmSync(join(work, 'debs'), { recursive: true });
  rmSync(join(work, 'lists'), { recursive: true });
  rmSync(join(work, 'cache'), { recursive: true });
  // Paths inside the final dir (after the rename below).
  const finalLib = libDir.replace(work, dir);
  icd.ICD.library_path = join(finalLib, 'libvulkan_lvp.so');
  writeFileSync(join(work, 'lvp_icd.json'), JSON.stringify(icd, null, 2));
  writeFileSync(
    join(work, 'env.json'),
    JSON.stringify({ mesa: best, icd: join(dir, 'lvp_icd.json'), libDir: finalLib }, null, 2),
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir); // only a complete cache ever appears under the final name
  log(`lavapipe ${best} ready in ${dir}`);
  return dir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(provisionLavapipe({ force: process.argv.includes('--force') }));
  } catch (e) {
    log(`failed: ${e.message}`);
    process.exit(1);
  }
}
