import path from 'node:path';
import { ErrorCodes, PreventionError, type FileSystem } from '@prevention/core';
import { Secret } from './secret.js';

/** Where a secret comes from: exactly one of a literal value, an environment variable, or a file. */
export interface SecretSource {
  /** The value itself (for example read from the environment by the config file). */
  value?: string | undefined;
  /** Name of the environment variable holding it. */
  env?: string | undefined;
  /** A file holding it (for example a mounted secret); surrounding whitespace is ignored. */
  file?: string | undefined;
}

/**
 * Reads a secret from its source. The error names the option and the source (the variable or
 * file name), never the value.
 *
 * @param what the option, for messages: for example `slackSink "ops" url`
 */
export async function readSecret(source: SecretSource, what: string, fs: FileSystem, cwd: string): Promise<Secret> {
  const given = [source.value !== undefined, source.env !== undefined, source.file !== undefined].filter(Boolean).length;
  if (given !== 1) {
    throw new PreventionError(ErrorCodes.CONFIG_INVALID, `alerts: ${what} needs exactly one of a value, an environment variable or a file (got ${given})`);
  }
  let value: string | undefined;
  if (source.value !== undefined) value = source.value;
  else if (source.env !== undefined) {
    value = process.env[source.env];
    if (value === undefined || value.trim() === '') {
      throw new PreventionError(ErrorCodes.CONFIG_INVALID, `alerts: ${what} is read from the environment variable ${source.env}, which is not set`);
    }
  } else {
    const file = path.resolve(cwd, source.file!);
    try {
      value = (await fs.readFile(file)).toString('utf8');
    } catch (cause) {
      throw new PreventionError(ErrorCodes.CONFIG_INVALID, `alerts: ${what} is read from ${file}, which could not be read; check the path and its permissions`, { file, cause });
    }
  }
  value = value.trim();
  if (value === '') throw new PreventionError(ErrorCodes.CONFIG_INVALID, `alerts: ${what} is empty`);
  return new Secret(value);
}
