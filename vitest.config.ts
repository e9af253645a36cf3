import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Each file owns one Dawn device; SwiftShader already uses every core, so files run one at a time.
    fileParallelism: false,
    pool: 'forks',
  },
});
