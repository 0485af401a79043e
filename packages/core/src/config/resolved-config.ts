import type { FileConfig, FileOptions } from './define-config.js';
import type { Plugin } from '../plugin/plugin.js';
import type { LoggerOptions } from '../logging/logger.js';

/** A configuration after loading and validation, with its origin. */
export interface ResolvedConfig {
  /** The working directory the engine was created with. */
  cwd: string;
  /** Directory relative paths (files, schemas) resolve against: the config file's, or `cwd`. */
  baseDir: string;
  /** The config file used, if one was found. */
  configFile: string | undefined;
  /** Top-level defaults for every file. */
  defaults: FileOptions;
  files: FileConfig[];
  plugins: Plugin[];
  logger: LoggerOptions;
}
