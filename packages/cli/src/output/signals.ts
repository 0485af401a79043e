/**
 * Resolves on the first SIGINT or SIGTERM, for commands that run until stopped. The handlers
 * are removed again, so a second Ctrl-C during shutdown ends the process the usual way.
 */
export function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
