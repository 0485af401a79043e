import type { PreventionConfig } from '../contract.js';

/**
 * Types a configuration object, for `prevention.config.ts`:
 *
 * ```ts
 * export default defineConfig({ files: [{ path: 'shared_context.json' }], pipeline: ['lock', 'validate', 'atomic-commit', 'verify'] });
 * ```
 */
export function defineConfig(config: PreventionConfig): PreventionConfig {
  return config;
}
