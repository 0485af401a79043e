import { startServe, type ServeOptions } from './start-serve.js';

/** Options of {@link runServe}. */
export interface RunServeOptions extends ServeOptions {
  /** Stops the service like SIGTERM does (for embedding; the signals are always handled). */
  signal?: AbortSignal;
}

/**
 * Resolves with what asked the service to stop: SIGTERM, SIGINT, the abort signal, or (once
 * `watch` is given it) the lost instance lock. Listening starts at once, before the service
 * is up: a signal that arrives while it starts stops it as soon as it is up, instead of
 * killing it half-started.
 */
function stopRequests(signal: AbortSignal | undefined): { requested: Promise<string>; watch(lockLost: AbortSignal): void; cancel(): void } {
  let stop!: (reason: string) => void;
  const requested = new Promise<string>((resolve) => (stop = resolve));
  const onTerm = (): void => stop('SIGTERM');
  const onInt = (): void => stop('SIGINT');
  const onAbort = (): void => stop('abort');
  let lost: AbortSignal | undefined;
  const onLost = (): void => stop(LOCK_LOST);
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  signal?.addEventListener('abort', onAbort);
  if (signal?.aborted) stop('abort');
  void requested.then(() => {
    // A second Ctrl-C during the stop ends the process the usual way.
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    signal?.removeEventListener('abort', onAbort);
    lost?.removeEventListener('abort', onLost);
  });
  return {
    requested,
    cancel: () => stop('start failed'),
    watch(lockLost) {
      lost = lockLost;
      lockLost.addEventListener('abort', onLost);
      if (lockLost.aborted) stop(LOCK_LOST);
    },
  };
}

const LOCK_LOST = 'instance lock lost';

/**
 * Runs `prevention serve` in the foreground until SIGTERM or SIGINT, systemd style: logs where
 * it listens (JSON lines on stdout unless a logger is given), then stops gracefully: requests
 * in flight are answered, follow streams end, the engine closes, the socket and pid file go.
 *
 * @returns the exit code: 0 after a graceful stop, 1 when the instance lock was lost (another
 * server took the project over).
 */
export async function runServe(options: RunServeOptions = {}): Promise<number> {
  const stops = stopRequests(options.signal);
  const running = await startServe({ ...options, logger: options.logger ?? { fd: 1, level: 'info' } }).catch((err: unknown) => {
    stops.cancel();
    throw err;
  });
  stops.watch(running.lockLost);
  const { logger } = running.engine;
  logger.info({ root: running.root, socket: running.socketPath, ...(running.port === undefined ? {} : { port: running.port, host: '127.0.0.1' }) }, 'prevention serve is listening');
  const reason = await stops.requested;
  if (reason === LOCK_LOST) logger.error({ root: running.root }, 'the instance lock on serve.pid was lost (taken over as stale): stopping, another server may be starting');
  else logger.info({ signal: reason }, 'stopping: answering requests in flight, then closing the engine');
  await running.close();
  logger.info('stopped');
  return reason === LOCK_LOST ? 1 : 0;
}
