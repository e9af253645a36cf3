import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Dawn as the device source (src/engine/node.ts), as for any Node user of the package.
    setupFiles: ['tests/helpers/setup-node.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Each file owns one Dawn device; SwiftShader already uses every core, so files run one at a time.
    fileParallelism: false,
    pool: 'forks',
  },
});
