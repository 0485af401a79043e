import type { Clock, FileSystem, Logger } from '@prevention/core';

/** What the built-in strategies need from their engine. */
export interface StrategyServices {
  /** Every backup byte goes through the engine's FileSystem port. */
  fs: FileSystem;
  /** Times backups, so retention buckets are deterministic under a test clock. */
  clock: Clock;
  logger: Logger;
}
