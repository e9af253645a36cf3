import { dirname, relative, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

/**
 * The embeddable ESM library (`npm run build:lib`): `srgan-webgpu` (the engine) and
 * `srgan-webgpu/srgan`, each as a platform-neutral entry (the `browser`/`default` condition of
 * package.json's `exports`) and a Node entry (the `node` condition: Dawn, sharp, files). WGSL is
 * bundled (shaders are TypeScript template strings) and shared code is split into common chunks,
 * so both entries of a pair share one engine. Declarations come from `tsc -p tsconfig.lib.json`
 * (into dist/lib/types/); the entry declarations beside the JS are written here (typesEntries).
 */

/** Package files that the library finds relative to its own module (shipped-models.ts, recipe.ts). */
const PACKAGE_FILE = /new URL\((['"])\.\.\/\.\.\/(models\/[^'"]+)\1, import\.meta\.url\)/g;
const MARK = '__srganPackageFile';

/**
 * The shipped models (and their recipes) stay files of the package, referenced as `new URL('…/models/…', import.meta.url)`.
 * In library mode Vite would inline them as base64 (about 1 MB of JavaScript that every page
 * downloads, used or not); a consumer's bundler instead copies such a URL as an asset and fetches
 * it only when a model loads. So the URL is hidden from Vite while it bundles (a call it does not
 * read), then written back with the path from the chunk where it landed to the package root.
 */
function packageFileUrls(): Plugin {
  let root = '',
    outDir = '';
  return {
    name: 'srgan-package-file-urls',
    enforce: 'pre',
    configResolved(c) {
      root = c.root;
      outDir = resolve(c.root, c.build.outDir);
    },
    transform(code, id) {
      if (!/\/src\/srgan\/(shipped-models|recipe)\.ts$/.test(id)) return null;
      const out = code.replace(PACKAGE_FILE, (_m, _q, path: string) => `new URL(${MARK}(${JSON.stringify(path)}), import.meta.url)`);
      return out === code ? null : { code: out, map: null };
    },
    renderChunk(code, chunk) {
      if (!code.includes(MARK)) return null;
      const up =
        relative(dirname(resolve(outDir, chunk.fileName)), root)
          .split('\\')
          .join('/') || '.';
      const out = code.replace(new RegExp(`${MARK}\\((['"])([^'"]+)\\1\\)`, 'g'), (_m, _q, path: string) => JSON.stringify(`${up}/${path}`));
      return { code: out, map: null };
    },
  };
}

/**
 * One declaration file per entry beside its JavaScript, which package.json's `types` point to. It
 * loads WebGPU's types (GPUDevice, GPUBuffer appear in the API) from the dependency @webgpu/types,
 * so a strict TypeScript consumer needs no setup of its own (tsc ≥ 5.5 no longer copies such
 * references from the sources into emitted declarations).
 */
function typesEntries(entries: Record<string, string>): Plugin {
  return {
    name: 'srgan-types-entries',
    generateBundle() {
      for (const [name, src] of Object.entries(entries)) {
        const types = `./types/${src.replace(/^src\//, '').replace(/\.ts$/, '.js')}`;
        this.emitFile({ type: 'asset', fileName: `${name}.d.ts`, source: `/// <reference types="@webgpu/types" />\nexport * from '${types}';\n` });
      }
    },
  };
}

const ENTRIES = {
  engine: 'src/engine/index.ts',
  'engine-node': 'src/engine/node.ts',
  srgan: 'src/srgan/index.ts',
  'srgan-node': 'src/srgan/node.ts',
};

export default defineConfig({
  plugins: [packageFileUrls(), typesEntries(ENTRIES)],
  publicDir: false, // the app's favicon is not the library's
  build: {
    target: 'es2022',
    outDir: 'dist/lib',
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    lib: { entry: ENTRIES, formats: ['es'] },
    rollupOptions: {
      // Only the Node entries reach these (Node-only modules are named *node.ts, see docs/engine.md):
      // they stay imports, resolved from the user's node_modules.
      external: ['webgpu', 'sharp', /^node:/],
      output: { chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});
