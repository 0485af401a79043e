import { stdoutClosed } from './closed-stdout.js';

/**
 * Resolves on the first SIGINT or SIGTERM, or once nobody reads stdout any more (`'EPIPE'`),
 * for commands that run until stopped. The handlers are removed again, so a second Ctrl-C
 * during shutdown ends the process the usual way.
 */
export function untilStopped(): Promise<NodeJS.Signals | 'EPIPE'> {
  return new Promise((resolve) => {
    const stop = (reason: NodeJS.Signals | 'EPIPE'): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      stdoutClosed.removeEventListener('abort', closed);
      resolve(reason);
    };
    const closed = (): void => stop('EPIPE');
    if (stdoutClosed.aborted) return stop('EPIPE');
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    stdoutClosed.addEventListener('abort', closed);
  });
}
