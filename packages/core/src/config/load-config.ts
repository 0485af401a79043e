import path from 'node:path';
import type { PreventionConfig } from '../contract.js';
import { configLoaders, configReadError } from './config-module.js';
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
 *
 * A file that cannot be loaded fails with `PREVENTION_CONFIG_INVALID` naming it, with
 * `details.reason` saying why (a syntax error with its line and column, a missing module, an
 * exception while evaluating it, no such file); see `ConfigLoadFailure`.
 */
export async function loadConfig(cwd: string, file?: string): Promise<LoadedConfig> {
  // cosmiconfig is loaded here, not with the package: a program that passes its config in code never needs it.
  const { cosmiconfig, defaultLoaders, getDefaultSearchPlaces } = await import('cosmiconfig');
  const explorer = cosmiconfig('prevention', {
    searchStrategy: 'project',
    searchPlaces: [...getDefaultSearchPlaces('prevention'), 'prevention.config.json'],
    loaders: configLoaders(defaultLoaders['.yaml']!),
    cache: false,
  });
  const explicit = file === undefined ? undefined : path.resolve(cwd, file);
  let result: Awaited<ReturnType<typeof explorer.search>>;
  try {
    result = explicit ? await explorer.load(explicit) : await explorer.search(cwd);
  } catch (cause) {
    throw configReadError(explicit ?? cwd, cause);
  }
  if (!result || result.isEmpty) return { config: {}, file: result?.filepath };
  return { config: validateConfig(result.config, result.filepath), file: result.filepath };
}
