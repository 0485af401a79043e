import type { EngineApi } from '@prevention/core';
import { DEFAULT_DAEMON_PORT, type MonitorOptions } from '@prevention/plugin-monitor';

/** What `status` learned about the monitor daemon. */
export type MonitorState =
  | { state: 'not-configured' }
  | { state: 'unreachable'; url: string; error: string }
  | { state: 'ready' | 'not-ready'; url: string; detail: unknown };

/**
 * Asks the monitor daemon of this project whether it is up and ready, on the port and host its
 * config gives (or the daemon's defaults). A configured monitor that does not answer is
 * `unreachable`: the files are not being watched.
 */
export async function probeMonitor(engine: EngineApi, timeoutMs = 1000): Promise<MonitorState> {
  const plugin = engine.config.plugins.find((p) => p.name === 'monitor');
  if (!plugin) return { state: 'not-configured' };
  const options = (plugin.options ?? {}) as MonitorOptions;
  const port = typeof options.port === 'number' && options.port > 0 ? options.port : DEFAULT_DAEMON_PORT;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}/readyz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const detail: unknown = await response.json().catch(() => undefined);
    return { state: response.ok ? 'ready' : 'not-ready', url, detail };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { state: 'unreachable', url, error: cause ?? (err as Error).message };
  }
}
