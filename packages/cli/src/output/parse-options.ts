import { parsePort } from '@prevention/plugin-monitor';
import { InvalidArgumentError } from 'commander';

/** Commander parser for a whole number ≥ `min`; a bad value is a usage error (exit 2). */
export function wholeNumber(min = 0): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new InvalidArgumentError(`expected a whole number of at least ${min}, got "${value}"`);
    return parsed;
  };
}

/** Commander parser that collects a repeatable option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Commander parser for a TCP port (0 picks a free one); a bad value is a usage error (exit 2). */
export function tcpPort(value: string): number {
  const port = parsePort(value);
  if (port === undefined) throw new InvalidArgumentError(`expected a TCP port from 0 to 65535, got "${value}"`);
  return port;
}
