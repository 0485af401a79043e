import { definePlugin, TOKENS, type Plugin } from '@prevention/core';
import type { BackupPluginOptions } from './backup-options.js';
import { BackupService } from './backup-service.js';
import { BACKUP_SERVICE } from './backup-token.js';
import { createStrategy } from './strategies/create-strategy.js';
import { validateBackupOptions } from './validate-options.js';

const backupPlugin = definePlugin<BackupPluginOptions | undefined, BackupService>({
  name: 'backup',
  provides: BACKUP_SERVICE,
  register(api, options) {
    const services = { fs: api.container.resolve(TOKENS.FileSystem), clock: api.container.resolve(TOKENS.Clock), logger: api.logger };
    const strategies = validateBackupOptions(options).map((entry) => createStrategy(entry, services, api.config.baseDir));
    for (const strategy of strategies) api.addBackupStrategy(strategy);
    return new BackupService(api.engine, strategies);
  },
});

/**
 * The `backup` plugin: saves every committed version through the configured strategies, in
 * order, and offers `list`, `restore` and `prune` as `engine.service(BACKUP_SERVICE)`.
 *
 * ```ts
 * backup({ strategies: [{ type: 'rotating', keep: 20 }, { type: 'timestamped', keepDaily: 7, keepWithin: '2d' }] })
 * ```
 *
 * The options are checked here, when the config is built, so a mistake fails with
 * `PREVENTION_CONFIG_INVALID` naming the key before any engine starts.
 */
export function backup(options?: BackupPluginOptions): Plugin<BackupPluginOptions | undefined, BackupService> {
  validateBackupOptions(options);
  return backupPlugin(options);
}
