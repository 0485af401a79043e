import { definePlugin, TOKENS } from '@prevention/core';
import { resolveMonitorOptions, type MonitorOptions } from './monitor-options.js';
import { MonitorService } from './monitor-service.js';
import { MONITOR_SERVICE } from './monitor-token.js';

/**
 * The integrity monitor plugin. Watches every file the config covers (named, or matching a glob
 * entry), re-validates them on a schedule, repairs outside damage per the file's policy, runs
 * health checks, and (with `port`) serves `/livez`, `/readyz` and `/metrics` on 127.0.0.1.
 * `engine.service(MONITOR_SERVICE)` gives its service. In an engine made with
 * `background: false` (a CLI command) it starts nothing by itself: its owner calls `start` and
 * `listen`.
 *
 * ```ts
 * monitor({ validateEvery: '5s', healthEvery: '1m' })
 * ```
 */
export const monitor = definePlugin<MonitorOptions | undefined, MonitorService>({
  name: 'monitor',
  provides: MONITOR_SERVICE,
  register(api, options = {}) {
    const resolved = resolveMonitorOptions(options);
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
      if (!api.background) return;
      if (resolved.autoStart) await service.start();
      if (resolved.port !== false) await service.listen(resolved.port, resolved.host);
    });
    api.onClose(() => service.stop());
    return service;
  },
});

export default monitor;
