import { defineConfig } from 'vitest/config';

/** The test settings every package shares: unit tests beside the code, real processes, generous timeouts. */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // tsyringe needs the Reflect API before any decorated class loads.
    setupFiles: ['reflect-metadata'],
  },
});
