import { systemErrorCode } from '@prevention/core';

const gone = new AbortController();

/**
 * Aborted once the reader of stdout has gone (`EPIPE`), as when `prevention events | head -1`
 * has read its line. Commands that run until stopped stop on it too.
 */
export const stdoutClosed: AbortSignal = gone.signal;

/**
 * Makes a closed stdout end the command quietly, the way ripgrep does: nothing more is written,
 * no stack trace, and exit 0, since the reader took what it wanted. Without a listener Node
 * throws the stream's `EPIPE` as an unhandled 'error' event. Any other failure to write the
 * results is one line on stderr and exit 1.
 */
export function endQuietlyWhenStdoutCloses(stream: NodeJS.WritableStream = process.stdout): void {
  stream.on('error', (err: Error) => {
    if (systemErrorCode(err) === 'EPIPE') {
      gone.abort();
      process.exitCode = 0;
      return;
    }
    process.stderr.write(`error: cannot write the results to standard output (${systemErrorCode(err) ?? err.message})\n`);
    process.exitCode = 1;
  });
}

/** The exit code to end with: `code`, unless stdout closed, which ends every command with 0. */
export function exitCodeUnlessClosed(code: number): number {
  return stdoutClosed.aborted ? 0 : code;
}
