import { startServe, type ServeOptions } from './start-serve.js';

/** Options of {@link runServe}. */
export interface RunServeOptions extends ServeOptions {
  /** Stops the service like SIGTERM does (for embedding; the signals are always handled). */
  signal?: AbortSignal;
}

/** Resolves with what asked the service to stop: SIGTERM, SIGINT, the lost instance lock or the abort signal. */
function untilStopped(lockLost: AbortSignal, signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const stop = (reason: string): void => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      lockLost.removeEventListener('abort', onLost);
      signal?.removeEventListener('abort', onAbort);
      resolve(reason);
    };
    const onTerm = (): void => stop('SIGTERM');
    const onInt = (): void => stop('SIGINT');
    const onLost = (): void => stop('instance lock lost');
    const onAbort = (): void => stop('abort');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    lockLost.addEventListener('abort', onLost);
    signal?.addEventListener('abort', onAbort);
    if (signal?.aborted) stop('abort');
  });
}

/**
 * Runs `prevention serve` in the foreground until SIGTERM or SIGINT, systemd style: logs where
 * it listens (JSON lines on stdout unless a logger is given), then stops gracefully: requests
 * in flight are answered, follow streams end, the engine closes, the socket and pid file go.
 *
 * @returns the exit code: 0 after a graceful stop, 1 when the instance lock was lost (another
 * server took the project over).
 */
export async function runServe(options: RunServeOptions = {}): Promise<number> {
  const running = await startServe({ ...options, logger: options.logger ?? { fd: 1, level: 'info' } });
  const { logger } = running.engine;
  logger.info({ root: running.root, socket: running.socketPath, ...(running.port === undefined ? {} : { port: running.port, host: '127.0.0.1' }) }, 'prevention serve is listening');
  const reason = await untilStopped(running.lockLost, options.signal);
  if (reason === 'instance lock lost') logger.error({ root: running.root }, 'the instance lock on serve.pid was lost (taken over as stale): stopping, another server may be starting');
  else logger.info({ signal: reason }, 'stopping: answering requests in flight, then closing the engine');
  await running.close();
  logger.info('stopped');
  return reason === 'instance lock lost' ? 1 : 0;
}
