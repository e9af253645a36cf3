import { defineConfig } from 'vite';

/**
 * The embeddable ESM library (`npm run build:lib`): `srgan-webgpu` (the engine) and
 * `srgan-webgpu/srgan`, with WGSL bundled (shaders are TypeScript template strings) and shared
 * code split into a common chunk. Declarations come from `tsc -p tsconfig.lib.json`.
 */
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist/lib',
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    lib: {
      entry: { engine: 'src/engine/index.ts', srgan: 'src/srgan/index.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      // Node's Dawn binding and node:* are reached only by a dynamic import that runs in Node.
      external: ['webgpu', /^node:/],
      output: { chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});
