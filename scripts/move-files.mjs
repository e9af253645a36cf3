#!/usr/bin/env node
// Moves source files with `git mv` and rewrites every relative import that reaches them (and the
// moved files' own relative imports), so that a layout change is a pure move plus mechanical
// import paths (issue 24's "each move a pure move in its own commit"). Nothing else is edited.
//   node scripts/move-files.mjs OLD=NEW [OLD=NEW …]     (files or folders, paths from the repo root)
// Rewrites: `from '…'`, `import '…'`, `import('…')`, `export … from '…'`, `vi.mock('…')` and
// `new URL('…', import.meta.url)` specifiers that start with ./ or ../, in .ts/.mts/.js/.mjs files
// under src, tests, bench, scripts, examples and the root configs. Prints the files it changed.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const pairs = process.argv.slice(2).map((a) => a.split('='));
if (!pairs.length || pairs.some((p) => p.length !== 2)) {
  console.error('usage: node scripts/move-files.mjs OLD=NEW [OLD=NEW …]');
  process.exit(2);
}

const CODE = /\.(ts|mts|js|mjs)$/;
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return ['node_modules', 'dist', '.git', 'runs', 'scratch', 'test-artifacts'].includes(e.name) ? [] : walk(p);
    return CODE.test(e.name) ? [p] : [];
  });
const scan = () => [
  ...['src', 'tests', 'bench', 'scripts', 'examples'].filter((d) => existsSync(join(root, d))).flatMap((d) => walk(join(root, d))),
  ...readdirSync(root)
    .filter((f) => CODE.test(f))
    .map((f) => join(root, f)),
];

// Every file (absolute) that moves, old → new.
const moves = new Map();
for (const [from, to] of pairs) {
  const a = join(root, from),
    b = join(root, to);
  if (!existsSync(a)) throw new Error(`no such path: ${from}`);
  if (statSync(a).isDirectory())
    for (const f of walk(a).concat(
      readdirSync(a, { recursive: true })
        .map((x) => join(a, x))
        .filter((x) => statSync(x).isFile() && !CODE.test(x)),
    ))
      moves.set(f, join(b, relative(a, f)));
  else moves.set(a, b);
}

// A specifier's target file: .js in an import names the .ts source.
function target(fromFile, spec) {
  const base = resolve(dirname(fromFile), spec);
  for (const c of [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts')]) if (moves.has(c) || existsSync(c)) return c;
  return base;
}
function specifier(fromFile, toFile, original) {
  let rel = relative(dirname(fromFile), toFile);
  if (!rel.startsWith('.')) rel = `./${rel}`;
  // Keep the extension the import used (.js for a .ts source).
  if (original.endsWith('.js') && rel.endsWith('.ts')) rel = rel.slice(0, -3) + '.js';
  if (original.endsWith('.mjs') && rel.endsWith('.mts')) rel = rel.slice(0, -4) + '.mjs';
  return rel;
}

const SPEC = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bvi\.mock\(\s*|new URL\(\s*)(['"])(\.{1,2}\/[^'"]+)\2/g;
const changed = [];
for (const file of scan()) {
  const text = readFileSync(file, 'utf8');
  const newHome = moves.get(file) ?? file;
  const out = text.replace(SPEC, (m, lead, q, spec) => {
    const t = target(file, spec);
    const dest = moves.get(t) ?? t;
    if (dest === t && newHome === file) return m; // neither end moves
    return `${lead}${q}${specifier(newHome, dest, spec)}${q}`;
  });
  if (out !== text) {
    writeFileSync(file, out);
    changed.push(relative(root, file));
  }
}
for (const [from, to] of pairs) {
  execFileSync('mkdir', ['-p', dirname(join(root, to))]);
  execFileSync('git', ['mv', from, to], { cwd: root, stdio: 'inherit' });
}
console.log(`moved ${moves.size} files; rewrote imports in ${changed.length}:\n  ${changed.join('\n  ')}`);
