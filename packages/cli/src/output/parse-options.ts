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
