import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist',
    // The engine reaches Dawn and node:* only through dynamic imports that never run in a browser.
    rollupOptions: { external: ['webgpu', /^node:/] },
  },
});
