import { createRequire } from 'node:module';
import { REDACT_PATHS, type Logger } from '@prevention/core';
import { pino } from 'pino';
import type PinoPretty from 'pino-pretty';

// pino-pretty (and its colour and time formatting) is required by the first line logged: at
// the CLI's level (warn) most commands log nothing and never load it.
const require = createRequire(import.meta.url);

/** An error in a log line as pino serializes it, without the stack (nor its causes'). */
function withoutStack(err: Error): Record<string, unknown> {
  const { stack: _stack, ...rest } = pino.stdSerializers.err(err);
  return rest;
}

/**
 * The engine's logger in the CLI: warnings and errors only (debug with `--debug`), on stderr so
 * they never mix with results, human-readable, coloured under the same rules as the rest of
 * the output, and with prevention's secret redaction. Errors in log lines lose their stack
 * unless `--debug`, like the command's own errors.
 */
export function createCliLogger(options: { debug: boolean; color: boolean }): Logger {
  let pretty: { write(line: string): unknown } | undefined;
  const destination = {
    write(line: string): void {
      pretty ??= (require('pino-pretty') as typeof PinoPretty)({ destination: 2, sync: true, colorize: options.color, ignore: 'pid,hostname,name' });
      pretty.write(line);
    },
  };
  return pino(
    {
      name: 'prevention',
      level: options.debug ? 'debug' : 'warn',
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      ...(options.debug ? {} : { serializers: { err: withoutStack } }),
    },
    destination,
  );
}
