import type { JsonValue } from '../json/json-value.js';
import type { LoggerOptions } from '../logging/logger.js';
import type { Middleware } from '../pipeline/middleware.js';
import type { Plugin } from '../plugin/plugin.js';

/** A pipeline step: a built-in or plugin middleware by name, or a middleware object. */
export type PipelineEntry = string | Middleware;

/** Settings that apply per file; at the top level of the config they are the defaults. */
export interface FileOptions {
  /** JSON Schema for the document: a path (relative to the config file) or the schema itself. */
  schema?: string | Record<string, unknown>;
  /** The document a missing file starts from; default `{}`. */
  initial?: JsonValue;
  /** Largest serialized document accepted, in bytes; default 64 MiB. */
  maxBytes?: number;
  /** Deepest nesting accepted; default 256. */
  maxDepth?: number;
  /** Indentation of the written JSON (0 for compact); default 2. */
  indent?: number;
  /** The write pipeline, in order; default `lock, validate, backup, atomic-commit, verify`. */
  pipeline?: PipelineEntry[];
  lock?: {
    /** A lock not refreshed for this long is taken over; default 10,000 ms (at least 2,000). */
    staleMs?: number;
    /** Give up waiting for the lock after this long; default 30,000 ms. */
    timeoutMs?: number;
  };
  backup?: {
    /** Refuse the write when no strategy could save a backup; default true. */
    required?: boolean;
  };
  /** What to do when the file is found corrupt on load: restore from backups (default) or fail. */
  onCorrupt?: 'restore' | 'fail';
  /**
   * What to do with valid content that differs from the last commit prevention made (a script
   * rewriting the file, an editor): `restore` (default) quarantines it and puts the last commit
   * back before anything else; `accept` adopts it as the current version and emits
   * `outside-write:accepted` naming the acknowledged events it dropped; `alert-only` reports it
   * and refuses writes until someone decides. Writers and the monitor apply the same policy. A
   * file prevention never committed is adopted as it is under every policy.
   */
  onOutsideWrite?: OutsideWritePolicy;
}

/** See {@link FileOptions.onOutsideWrite}. */
export type OutsideWritePolicy = 'restore' | 'accept' | 'alert-only';

/** One entry of `files`: a path or glob (relative to the config file) and its settings. */
export interface FileConfig extends FileOptions {
  path: string;
}

/** The shape of `prevention.config.ts`. Top-level file options are defaults for every file. */
export interface PreventionConfig extends FileOptions {
  /** The files prevention manages, with per-file settings; later entries override earlier ones. */
  files?: FileConfig[];
  /** Plugins, registered in dependency order. */
  plugins?: Plugin[];
  /** The default logger's settings. */
  logger?: LoggerOptions;
}

/**
 * Types a configuration object, for `prevention.config.ts`:
 *
 * ```ts
 * export default defineConfig({ files: [{ path: 'shared_context.json' }], pipeline: ['lock', 'validate', 'atomic-commit', 'verify'] });
 * ```
 */
export function defineConfig(config: PreventionConfig): PreventionConfig {
  return config;
}
