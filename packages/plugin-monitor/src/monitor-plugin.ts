import { definePlugin, TOKENS } from '@prevention/core';
import { MONITOR_OVERRIDES } from './monitor-overrides.js';
import { resolveMonitorOptions, type MonitorOptions } from './monitor-options.js';
import { MonitorService } from './monitor-service.js';

/**
 * The integrity monitor plugin. Watches every file the config covers (named, or matching a glob
 * entry), re-validates them on a schedule, repairs outside damage per the file's policy, runs
 * health checks, and (with `port`) serves `/livez`, `/readyz` and `/metrics` on 127.0.0.1.
 * `engine.plugin<MonitorService>('monitor')` gives its service.
 *
 * ```ts
 * monitor({ validateEvery: '5s', healthEvery: '1m' })
 * ```
 */
export const monitor = definePlugin<MonitorOptions | undefined, MonitorService>({
  name: 'monitor',
  register(api, options = {}) {
    const overrides = api.container.isRegistered(MONITOR_OVERRIDES, true) ? api.container.resolve(MONITOR_OVERRIDES) : {};
    const resolved = resolveMonitorOptions({ ...options, ...overrides });
    const service = new MonitorService(
      {
        engine: api.engine,
        fs: api.container.resolve(TOKENS.FileSystem),
        locker: api.container.resolve(TOKENS.FileLocker),
        emit: (event, payload) => api.emit(event, payload),
        on: (event, listener) => api.on(event, listener),
        logger: api.logger,
      },
      resolved,
    );
    api.onReady(async () => {
      if (resolved.autoStart) await service.start();
      if (resolved.port !== false) await service.listen(resolved.port, resolved.host);
    });
    api.onClose(() => service.stop());
    return service;
  },
});

export default monitor;
