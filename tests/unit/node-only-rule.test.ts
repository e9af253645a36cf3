/**
 * The one rule for Node-only code (docs/engine.md): a module that imports `node:*`, a Node builtin,
 * or a Node-only package, or that imports a Node-only module of ours, lives under `src/cli/` or has
 * a file name ending in `node.ts`. Everything else in src/ is platform-neutral and must bundle for
 * the browser (tests/unit/browser-bundle.test.ts checks the package's entries).
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { importsOf, REPO, sourceFiles, type SourceImport } from '../helpers/source-imports.js';

/** Packages that run only in Node: Dawn's binding, libvips, the terminal and the browser driver. */
const NODE_PACKAGES = ['webgpu', 'sharp', 'cli-progress', 'puppeteer-core', 'tsx'];

/**
 * Modules that break the rule today and are being replaced (issue 16: the training session's
 * run stores). Remove an entry when its file goes: a stale entry fails the test.
 */
const BEING_REPLACED: string[] = [];

const nodeNamed = (file: string) => file.startsWith('src/cli/') || file.endsWith('node.ts');

function nodeOnlyImport(imp: SourceImport): boolean {
  const s = imp.specifier;
  if (s.startsWith('node:')) return true;
  const pkg = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0];
  if (builtinModules.includes(pkg) || NODE_PACKAGES.includes(pkg)) return true;
  // Importing a Node-only module of ours makes the importer Node-only too.
  return !!imp.target && (nodeNamed(imp.target) || BEING_REPLACED.includes(imp.target));
}

/** Files in src/ that import Node-only code without being named or placed as Node-only. */
function ruleBreakers(files: readonly string[]): string[] {
  return files
    .filter((f) => !nodeNamed(f) && !BEING_REPLACED.includes(f))
    .flatMap((f) =>
      importsOf(f)
        .filter(nodeOnlyImport)
        .map((i) => `${f} imports ${i.specifier}`),
    );
}

describe('Node-only code is named or placed as such', () => {
  it('holds for every module in src/', () => {
    const files = sourceFiles('src');
    expect(files.length).toBeGreaterThan(50);
    expect(ruleBreakers(files)).toEqual([]);
  });

  it('sees the imports that break it (bare builtins, node:*, packages, our *node.ts modules)', () => {
    // Real modules of this tree, checked as if they were platform-neutral.
    const seen = (file: string) =>
      importsOf(file)
        .filter(nodeOnlyImport)
        .map((i) => i.specifier);
    expect(seen('src/srgan/image/node.ts')).toEqual(expect.arrayContaining(['sharp', 'node:fs/promises']));
    expect(seen('src/srgan/node.ts')).toEqual(expect.arrayContaining(['../engine/node.js', './image/node.js']));
    expect(seen('src/engine/node.ts').sort()).toEqual(['./cpu/threads-node.js', './io/safetensors-node.js', './runtime/device-node.js']);
    expect(seen('src/engine/runtime/device-node.ts')).toEqual(expect.arrayContaining(['node:fs', 'webgpu']));
  });

  it('has no stale exceptions', () => {
    expect(BEING_REPLACED.filter((f) => !existsSync(join(REPO, f)))).toEqual([]);
  });
});
