import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Multi-process tests saturate the machine's cores on their own; run files one at a time.
    fileParallelism: false,
  },
});
