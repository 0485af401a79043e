import path from 'node:path';
import type { BackupStrategy } from '@prevention/core';
import type { ValidatedStrategy } from '../validate-options.js';
import { ContentAddressedStrategy } from './content-addressed-strategy.js';
import { RotatingStrategy } from './rotating-strategy.js';
import type { StrategyServices } from './strategy-services.js';
import { TimestampedStrategy } from './timestamped-strategy.js';

/**
 * Builds the strategy a validated configuration entry describes.
 *
 * @param baseDir what a relative `dir` is relative to (the config file's directory)
 */
export function createStrategy(options: ValidatedStrategy, services: StrategyServices, baseDir: string): BackupStrategy {
  const dir = options.dir === undefined ? undefined : path.resolve(baseDir, options.dir);
  switch (options.type) {
    case 'rotating':
      return new RotatingStrategy(services, options.keep, dir);
    case 'timestamped':
      return new TimestampedStrategy(services, options, dir);
    case 'content-addressed':
      return new ContentAddressedStrategy(services, options, dir);
  }
}
