import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // prevention.config.mjs is loaded with Node's own import(); the test must use the very same
    // @prevention modules (their DI tokens are symbols), not copies transformed by vitest.
    server: { deps: { external: [/\/packages\/[^/]+\/dist\//] } },
  },
});
