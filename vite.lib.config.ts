import { defineConfig } from 'vite';

/**
 * The embeddable ESM library (`npm run build:lib`): `srgan-webgpu` (the engine) and
 * `srgan-webgpu/srgan`, each as a platform-neutral entry (the `browser`/`default` condition of
 * package.json's `exports`) and a Node entry (the `node` condition: Dawn, sharp, files). WGSL is
 * bundled (shaders are TypeScript template strings) and shared code is split into common chunks,
 * so both entries of a pair share one engine. Declarations come from `tsc -p tsconfig.lib.json`.
 */
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist/lib',
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    lib: {
      entry: {
        engine: 'src/engine/index.ts',
        'engine-node': 'src/engine/node.ts',
        srgan: 'src/srgan/index.ts',
        'srgan-node': 'src/srgan/node.ts',
      },
      formats: ['es'],
    },
    rollupOptions: {
      // Only the Node entries reach these (Node-only modules are named *node.ts, see docs/engine.md):
      // they stay imports, resolved from the user's node_modules.
      external: ['webgpu', 'sharp', /^node:/],
      output: { chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});
