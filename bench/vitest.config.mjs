import { defineConfig } from 'vitest/config';

/** Only the smoke test: the benchmarks themselves run with `npm run bench`, never under `npm test`. */
export default defineConfig({
  test: {
    include: ['src/**/*.test.mjs'],
    testTimeout: 120_000,
    pool: 'forks',
  },
});
