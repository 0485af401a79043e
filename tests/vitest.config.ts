import { defineConfig } from 'vitest/config';
import { LONG_MODE } from './support/torture.js';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // Long mode (`npm run test:torture`) runs thousands of kills and trials: its scenarios take
    // tens of minutes each, so they get hours rather than the short mode's minutes.
    testTimeout: LONG_MODE ? 4 * 3_600_000 : 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Multi-process tests saturate the machine's cores on their own; run files one at a time.
    fileParallelism: false,
  },
});
