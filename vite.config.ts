import { defineConfig } from 'vite';

/** The app (index.html → src/ui). The embeddable library has its own config: vite.lib.config.ts. */
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist',
    // The engine reaches Dawn and node:* only through dynamic imports that never run in a browser.
    rollupOptions: { external: ['webgpu', /^node:/] },
    // Bundled photos and the default model are served as files, never inlined as base64.
    assetsInlineLimit: 0,
  },
  // The training worker imports the engine and SRGAN as ES modules.
  worker: { format: 'es', rollupOptions: { external: ['webgpu', /^node:/] } },
  // Cross-origin isolation gives workers and the page precise timers (performance.now at 5 µs).
  server: { headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } },
  preview: { headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } },
});
