/**
 * What a web developer's bundler sees: the library is built as `npm run build:lib` builds it, into a
 * copy of the package inside a throwaway project's node_modules, and `srgan-webgpu` and
 * `srgan-webgpu/srgan` are bundled from there for the browser by a plain esbuild call (no externals,
 * no plugins), so package.json's `exports` conditions pick the entries. The bundle must hold no
 * `node:` import and neither Dawn (`webgpu`) nor `sharp`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build as esbuild, type BuildResult, type Metafile } from 'esbuild';
import { build as viteBuild } from 'vite';
import { REPO } from '../helpers/source-imports.js';

// Inside the repository (test-artifacts/ is ignored), so the library's own dependencies resolve
// from the repository's node_modules, as they would from a user's after `npm install`.
const project = join(REPO, 'test-artifacts', `browser-bundle-${process.pid}`);
const pkg = join(project, 'node_modules', 'srgan-webgpu');
const USER_CODE = `import * as engine from 'srgan-webgpu';
import * as srgan from 'srgan-webgpu/srgan';
globalThis.api = { engine, srgan };`;

/** An import (static, dynamic or require) of node:*, Dawn or sharp left in bundled code. */
const NODE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["'](?:node:[^"']*|webgpu|sharp)["']/;

/** esbuild as a web developer calls it: for the browser, everything bundled, nothing else set. */
function bundle(input: { contents: string } | { file: string }): Promise<BuildResult & { metafile: Metafile }> {
  return esbuild({
    ...('file' in input ? { entryPoints: [input.file] } : { stdin: { contents: input.contents, resolveDir: project, sourcefile: 'app.js' } }),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
}

describe('the package bundles for the browser', () => {
  beforeAll(async () => {
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'bundle-check', private: true, type: 'module' }));
    copyFileSync(join(REPO, 'package.json'), join(pkg, 'package.json'));
    await viteBuild({
      configFile: join(REPO, 'vite.lib.config.ts'),
      root: REPO,
      logLevel: 'silent',
      build: { outDir: join(pkg, 'dist/lib'), emptyOutDir: true, sourcemap: false },
    });
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('srgan-webgpu and srgan-webgpu/srgan: no node: import, no webgpu, no sharp', async () => {
    const result = await bundle({ contents: USER_CODE });
    const code = result.outputFiles![0].text;
    const inputs = Object.keys(result.metafile.inputs);
    // The browser entries were the ones picked, and the engine came along.
    expect(inputs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/srgan-webgpu\/dist\/lib\/engine\.js$/),
        expect.stringMatching(/srgan-webgpu\/dist\/lib\/srgan\.js$/),
      ]),
    );
    expect(inputs.filter((p) => /-node\.js$|node_modules\/(webgpu|sharp)\//.test(p))).toEqual([]);
    expect(code).not.toMatch(NODE_IMPORT);
    expect(code).toMatch(/navigator\.gpu/);
  });

  it('the same call fails on the Node entries, so a Node import reaching a browser entry would fail it too', async () => {
    for (const entry of ['engine-node.js', 'srgan-node.js'])
      await expect(bundle({ file: join(pkg, 'dist/lib', entry) })).rejects.toThrow(/Could not resolve "node:/);
    // And the pattern for what might slip through as an external import does match one.
    expect('import { existsSync } from "node:fs";').toMatch(NODE_IMPORT);
    expect('const dawn = await import("webgpu");').toMatch(NODE_IMPORT);
  });
});
