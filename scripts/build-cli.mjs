/**
 * Compile the `srgan` CLI to JavaScript in dist/cli/ (npm's prepack runs it): no tsx at run time.
 * esbuild bundles our sources; npm packages stay imports, and each one must be a runtime
 * dependency in package.json, or the installed CLI would fail on it (checked here).
 * Every command is its own chunk, loaded when it runs, so `srgan --help` loads neither sharp nor
 * the engine. All files sit directly in dist/cli/, two levels below the package root, as the
 * sources sit in src/cli/: paths built from import.meta.url (the shipped models) work in both.
 */
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const outdir = new URL('dist/cli/', root).pathname;
rmSync(outdir, { recursive: true, force: true });

const result = await build({
  absWorkingDir: root.pathname,
  entryPoints: { srgan: 'src/cli/srgan.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  banner: { js: '// Built from src/cli by scripts/build-cli.mjs; edit the sources, not this file.' },
});

const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
const builtins = new Set(builtinModules);
const missing = new Set();
for (const [file, out] of Object.entries(result.metafile.outputs)) {
  for (const imp of out.imports) {
    if (!imp.external || imp.path.startsWith('node:') || builtins.has(imp.path)) continue;
    const name = imp.path.startsWith('@') ? imp.path.split('/').slice(0, 2).join('/') : imp.path.split('/')[0];
    if (!runtime.has(name)) missing.add(`${name} (imported by ${file})`);
  }
}
if (missing.size) {
  console.error(`build-cli: the CLI imports packages that are not runtime dependencies:\n  ${[...missing].join('\n  ')}`);
  process.exit(1);
}
const bytes = Object.entries(result.metafile.outputs)
  .filter(([f]) => f.endsWith('.js'))
  .reduce((s, [, o]) => s + o.bytes, 0);
console.log(`build-cli: dist/cli (${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB)`);
