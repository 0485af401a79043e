import path from 'node:path';
import { cosmiconfig, getDefaultSearchPlaces } from 'cosmiconfig';
import { ErrorCodes, PreventionError } from '../errors.js';
import type { PreventionConfig } from './define-config.js';
import { validateConfig } from './validate-config.js';

/** A configuration found on disk. */
export interface LoadedConfig {
  config: PreventionConfig;
  /** The file it came from, or undefined when none was found. */
  file: string | undefined;
}

/**
 * Finds and loads the project's configuration with cosmiconfig under the name `prevention`:
 * `prevention.config.ts` (and `.js`, `.mjs`, `.cjs`, `.json`), `.preventionrc*`, or the
 * `prevention` key of package.json, searching from `cwd` up to the project root. An explicit
 * `file` is loaded directly. No config found is not an error: the result is an empty config.
 */
export async function loadConfig(cwd: string, file?: string): Promise<LoadedConfig> {
  const explorer = cosmiconfig('prevention', {
    searchStrategy: 'project',
    searchPlaces: [...getDefaultSearchPlaces('prevention'), 'prevention.config.json'],
    cache: false,
  });
  let result: Awaited<ReturnType<typeof explorer.search>>;
  try {
    result = file ? await explorer.load(path.resolve(cwd, file)) : await explorer.search(cwd);
  } catch (cause) {
    const where = file ? path.resolve(cwd, file) : `the prevention config found from ${cwd}`;
    throw new PreventionError(ErrorCodes.CONFIG_INVALID, `could not load ${where}: ${(cause as Error).message}`, { cause, file: file && path.resolve(cwd, file) });
  }
  if (!result || result.isEmpty) return { config: {}, file: result?.filepath };
  const raw = (result.config as { default?: unknown })?.default ?? result.config;
  return { config: validateConfig(raw, result.filepath), file: result.filepath };
}
