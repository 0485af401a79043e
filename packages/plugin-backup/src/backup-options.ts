import type { RetentionPolicy } from './retention/retention-policy.js';

/** The newest `keep` copies. */
export interface RotatingStrategyOptions {
  type: 'rotating';
  /** How many copies to keep; at least 1. */
  keep: number;
  /** Directory for the copies (relative to the config file); default `.prevention/backups` beside each file. */
  dir?: string;
}

/** One snapshot per write, named by time and sequence, thinned by a retention policy. */
export interface TimestampedStrategyOptions extends RetentionPolicy {
  type: 'timestamped';
  /** Directory for the snapshots (relative to the config file); default `.prevention/backups` beside each file. */
  dir?: string;
}

/** Snapshots stored once per distinct content (by sha256) with an index, thinned by a retention policy. */
export interface ContentAddressedStrategyOptions extends RetentionPolicy {
  type: 'content-addressed';
  /** Directory for the store (relative to the config file); default `.prevention/backups` beside each file. */
  dir?: string;
}

/** One configured strategy. */
export type StrategyOptions = RotatingStrategyOptions | TimestampedStrategyOptions | ContentAddressedStrategyOptions;

/** Options of the `backup` plugin. */
export interface BackupPluginOptions {
  /** The strategies, in the order they save; default one `rotating` strategy keeping 10 copies. */
  strategies?: StrategyOptions[];
}
