import { defineConfig } from 'vite';

/** The app (index.html → src/ui). The embeddable library has its own config: vite.lib.config.ts. */
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist',
    // Bundled photos and the default model are served as files, never inlined as base64.
    assetsInlineLimit: 0,
  },
  // The training worker imports the engine and SRGAN as ES modules.
  // No externals anywhere: the app reaches only platform-neutral modules (Node-only ones are named *node.ts).
  worker: { format: 'es' },
  // Cross-origin isolation gives workers and the page precise timers (performance.now at 5 µs).
  server: { headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } },
  preview: { headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } },
});
