import { definePlugin, ErrorCodes, PreventionError, serviceToken, TOKENS, type ServiceToken } from '@prevention/core';
import { GzipBackupStrategy } from './gzip-backup-strategy.js';

/** Options of {@link gzipBackup}. */
export interface GzipBackupOptions {
  /** How many compressed versions to keep; default 20. */
  keep?: number;
}

/**
 * Registers {@link GzipBackupStrategy} with the engine. Use it beside, or instead of,
 * `@prevention/plugin-backup`: the engine saves every commit through every registered strategy.
 *
 * ```ts
 * createEngine({ plugins: [gzipBackup({ keep: 50 })] })
 * ```
 */
/** The registered strategy, as a service: `engine.service(GZIP_BACKUP)`. */
export const GZIP_BACKUP: ServiceToken<GzipBackupStrategy> = serviceToken<GzipBackupStrategy>('gzip-backup');

export const gzipBackup = definePlugin<GzipBackupOptions | undefined, GzipBackupStrategy>({
  name: 'gzip-backup',
  provides: GZIP_BACKUP,
  register(api, options) {
    const keep = options?.keep ?? 20;
    if (!Number.isInteger(keep) || keep < 1) {
      throw new PreventionError(ErrorCodes.CONFIG_INVALID, `gzip-backup option keep must be an integer of at least 1 (got ${String(keep)})`, { details: { key: 'keep' } });
    }
    const strategy = new GzipBackupStrategy(api.container.resolve(TOKENS.FileSystem), api.container.resolve(TOKENS.Clock), keep);
    api.addBackupStrategy(strategy);
    return strategy;
  },
});
