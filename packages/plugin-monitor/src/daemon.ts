import path from 'node:path';
import { createEngine, loadConfig, type EngineApi, type Logger, type LoggerOptions } from '@prevention/core';
import type { MonitorOptions } from './monitor-options.js';
import { monitor } from './monitor-plugin.js';
import type { MonitorService } from './monitor-service.js';
import { MONITOR_SERVICE } from './monitor-token.js';

/** The daemon's HTTP port when neither the options nor the config name one. */
export const DEFAULT_DAEMON_PORT = 9477;

/** Options of {@link runMonitorDaemon}. */
export interface MonitorDaemonOptions {
  /** Project directory: where the config search starts; default `process.cwd()`. */
  cwd?: string;
  /** An explicit config file (relative to `cwd`). */
  configFile?: string;
  /** Run one check pass (validation with repairs, then the health checks) and return instead of watching. */
  once?: boolean;
  /** HTTP port for `/livez`, `/readyz`, `/metrics` (0 picks a free one); default the config's, else 9477. Not used with `once`. */
  port?: number;
  /** Address to bind; default the config's, else 127.0.0.1. */
  host?: string;
  /** A logger, or options for the default one (default: JSON lines on stdout, level `info`). */
  logger?: Logger | LoggerOptions;
  /** Stops the daemon like SIGTERM does (for embedding; the signals are always handled). */
  signal?: AbortSignal;
  /** Longest time a graceful stop may take before the daemon gives up waiting; default 4,500 ms. */
  stopTimeoutMs?: number;
}

/**
 * Runs the integrity monitor in the foreground, systemd style: loads the project's config with
 * `createEngine` (adding the `monitor` plugin if the config lacks it, and forcing it on),
 * serves HTTP, and logs changes to stdout. On SIGTERM or SIGINT it stops the schedules and
 * watchers and closes the engine, which drains (or spools) queued alerts.
 *
 * With `once` it runs a single check pass instead: every file is validated and repaired per its
 * policy, then the health checks run.
 *
 * @returns the process exit code: 0 after a graceful stop or a clean `once` pass; 1 when `once`
 * found a problem (a damaged file, even if repaired, or a failing health check) or a stop
 * overran `stopTimeoutMs`.
 */
export async function runMonitorDaemon(options: MonitorDaemonOptions = {}): Promise<number> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const loaded = await loadConfig(cwd, options.configFile);
  const configured = loaded.config.plugins?.find((plugin) => plugin.name === 'monitor');
  const configuredOptions = (configured?.options ?? {}) as MonitorOptions;
  // The daemon, not the plugin, decides what runs: the engine starts no background work by itself.
  const engine = await createEngine({
    cwd,
    configFile: loaded.file,
    plugins: configured ? [] : [monitor()],
    logger: options.logger ?? { fd: 1, level: loaded.config.logger?.level ?? 'info' },
    background: false,
  });
  const service = engine.service(MONITOR_SERVICE)!;
  if (engine.config.files.length === 0) engine.logger.warn({ configFile: loaded.file ?? null }, 'the config names no files to monitor');
  if (options.once) return runOnce(engine, service);
  try {
    await service.start();
    await service.listen(options.port ?? (typeof configuredOptions.port === 'number' ? configuredOptions.port : DEFAULT_DAEMON_PORT), options.host);
  } catch (err) {
    await engine.close();
    throw err;
  }
  return runUntilStopped(engine, service, options);
}

async function runOnce(engine: EngineApi, service: MonitorService): Promise<number> {
  const reports = await service.checkAll();
  const health = await service.runHealthChecks();
  const damaged = reports.filter((r) => r.finding !== 'ok' || r.error);
  const failing = health.filter((h) => h.status === 'fail');
  const summary = { files: reports.length, damaged, failingChecks: failing.map((h) => ({ check: h.check, file: h.file, message: h.message })) };
  if (damaged.length > 0 || failing.length > 0) engine.logger.warn(summary, 'check pass found problems');
  else engine.logger.info(summary, 'check pass: every file intact, every health check passing');
  await engine.close();
  return damaged.length > 0 || failing.length > 0 ? 1 : 0;
}

async function runUntilStopped(engine: EngineApi, service: MonitorService, options: MonitorDaemonOptions): Promise<number> {
  const signalName = await waitForStop(options.signal);
  engine.logger.info({ signal: signalName }, 'stopping: closing watchers and draining alerts');
  const deadlineMs = options.stopTimeoutMs ?? 4_500;
  let timer: NodeJS.Timeout | undefined;
  const overran = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), deadlineMs);
    timer.unref();
  });
  const closed = (async () => {
    await service.stop();
    await engine.close();
    return false;
  })();
  const late = await Promise.race([closed, overran]);
  clearTimeout(timer);
  if (late) {
    engine.logger.error({ deadlineMs }, 'stopping took too long; exiting without waiting further (queued alerts may be lost)');
    return 1;
  }
  engine.logger.info('stopped');
  return 0;
}

/** Resolves with what asked the daemon to stop: SIGTERM, SIGINT or the abort signal. */
async function waitForStop(signal: AbortSignal | undefined): Promise<string> {
  const listeners: Array<() => void> = [];
  try {
    return await new Promise<string>((resolve) => {
      for (const name of ['SIGTERM', 'SIGINT'] as const) {
        const onSignal = (): void => resolve(name);
        process.once(name, onSignal);
        listeners.push(() => process.off(name, onSignal));
      }
      if (signal?.aborted) return resolve('abort');
      const onAbort = (): void => resolve('abort');
      signal?.addEventListener('abort', onAbort, { once: true });
      listeners.push(() => signal?.removeEventListener('abort', onAbort));
    });
  } finally {
    // Whatever stopped us, the other listeners must not outlive the daemon.
    for (const remove of listeners) remove();
  }
}
