import path from 'node:path';
import type { Loader, Loaders } from 'cosmiconfig';
import type { Jiti } from 'jiti';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, PreventionError, systemErrorCode } from '../errors.js';
import { positionOf } from '../json/parse-document.js';
import { scanJson } from '../json/json-scan.js';

/**
 * Why a config file could not be loaded, in `details.reason` of its `PREVENTION_CONFIG_INVALID`:
 * `syntax` (with `line` and `column` when the parser gave them, and `importedFile` when the
 * error is in a module the config imports), `missing-module` (with `module`), `threw`
 * (evaluating it threw; `line` and `column` when the stack names the file), `not-found` (an
 * explicit config file that does not exist), `unreadable` (any other read error).
 * A config that loads but holds a bad setting has `reason` `invalid`.
 */
export type ConfigLoadFailure = 'syntax' | 'missing-module' | 'threw' | 'not-found' | 'unreadable';

type Position = {
  line: number;
  column: number;
};

const TYPESCRIPT = /\.[cm]?ts$/;

let jiti: Jiti | undefined;

/**
 * jiti compiles TypeScript with the Babel it bundles, so a `.ts` config needs no `typescript`
 * in the project. It is loaded for the first TypeScript config (or JavaScript syntax error)
 * only. Its file cache is off: loading a config writes nothing to the project.
 */
async function loadJiti(): Promise<Jiti> {
  if (!jiti) {
    const { createJiti } = await import('jiti');
    jiti = createJiti(import.meta.url, { fsCache: false, moduleCache: false });
  }
  return jiti;
}

function failure(file: string, reason: ConfigLoadFailure, message: string, cause: unknown, details: Record<string, unknown> = {}): PreventionError {
  return new PreventionError(ErrorCodes.CONFIG_INVALID, message, { file, cause, details: { reason, ...details } });
}

/** `file:line:column`, the form editors and terminals open at the position. */
function at(file: string, position: Position | undefined): string {
  return position ? `${file}:${position.line}:${position.column}` : file;
}

/** The first stack frame (not the message: jiti puts a position there) that names `file`. */
function positionInStack(err: unknown, file: string): Position | undefined {
  const frames = (err instanceof Error ? (err.stack ?? '') : '').split('\n').filter((line) => line.trimStart().startsWith('at '));
  const names = [pathToFileURL(file).href, file];
  for (const frame of frames) {
    for (const name of names) {
      const index = frame.indexOf(`${name}:`);
      const match = index === -1 ? null : /^:(\d+):(\d+)/.exec(frame.slice(index + name.length));
      if (match) return { line: Number(match[1]), column: Number(match[2]) };
    }
  }
  return undefined;
}

/**
 * Where Babel (through jiti, without running anything) finds a syntax error in `source`, and
 * its reason. jiti's transform does not throw: it returns a module that would throw, whose
 * first line carries the error as JSON. Babel counts columns from 0, editors and Node from 1.
 */
async function babelSyntaxError(file: string, source: string): Promise<(Position & { reason: string }) | undefined> {
  const marker = 'exports.__JITI_ERROR__ = ';
  const code = (await loadJiti()).transform({ source, filename: file, ts: TYPESCRIPT.test(file) });
  if (!code.startsWith(marker)) return undefined;
  const error = JSON.parse(code.slice(marker.length).split('\n', 1)[0]!) as { line: number; column: number; message: string };
  return { line: error.line, column: error.column + 1, reason: error.message.trim() };
}

function missingModule(err: unknown): string | undefined {
  const code = systemErrorCode(err);
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  return /Cannot find (?:package|module) '([^']+)'/.exec((err as Error).message)?.[1];
}

async function loadError(file: string, source: string, err: unknown): Promise<PreventionError> {
  if (err instanceof PreventionError) return err;
  const module = missingModule(err);
  if (module !== undefined) {
    const what = module.startsWith('.') || path.isAbsolute(module) ? 'which does not exist' : 'which is not installed';
    return failure(file, 'missing-module', `the config ${file} imports "${module}", ${what}`, err, { module });
  }
  const thrownAt = positionInStack(err, file);
  // Node's import() reports a syntax error without its line, and jiti's as a message of its
  // own: the position comes from parsing the file again. Node's reason is kept where it has one.
  const syntax = thrownAt === undefined ? await babelSyntaxError(file, source) : undefined;
  if (syntax) {
    const position = { line: syntax.line, column: syntax.column };
    const reason = err instanceof SyntaxError ? err.message : syntax.reason;
    return failure(file, 'syntax', `syntax error at ${at(file, position)}: ${reason}`, err, position);
  }
  if (err instanceof SyntaxError && thrownAt === undefined) {
    return failure(file, 'syntax', `syntax error in ${file} or a module it imports: ${err.message}`, err);
  }
  // A module the config imports, compiled by jiti: `ParseError: <reason>\n <file>:<line>:<column>`.
  const imported = err instanceof Error ? /^ParseError: (.*?)\s*\n\s*(\S.*):(\d+):(\d+)\s*$/s.exec(err.message) : null;
  if (imported) {
    const position = { line: Number(imported[3]), column: Number(imported[4]) + 1 };
    return failure(file, 'syntax', `syntax error at ${at(imported[2]!, position)} (imported by the config ${file}): ${imported[1]}`, err, { ...position, importedFile: imported[2] });
  }
  const thrown = err instanceof Error ? `${err.name}: ${err.message.replace(/\s*\n\s*/g, ' ')}` : String(err);
  return failure(file, 'threw', `loading the config ${at(file, thrownAt)} threw ${thrown}`, err, thrownAt ?? {});
}

/**
 * Loads a JavaScript or TypeScript config module (`source` is its text, as read by the config
 * search) and returns its default export, else the module. JavaScript goes through Node's own
 * `import()`, TypeScript through jiti. Every failure is a `PREVENTION_CONFIG_INVALID` naming
 * the file, with `details.reason` (a {@link ConfigLoadFailure}) and the line and column where
 * there is one.
 */
export async function loadConfigModule(file: string, source: string): Promise<unknown> {
  try {
    const loaded = (TYPESCRIPT.test(file) ? await (await loadJiti()).import(file) : await import(pathToFileURL(file).href)) as { default?: unknown } | undefined;
    return loaded?.default ?? loaded;
  } catch (err) {
    throw await loadError(file, source, err);
  }
}

/** Parses a JSON config (or package.json); a syntax error names its line and column. */
export function loadJsonConfig(file: string, source: string): unknown {
  try {
    return JSON.parse(source) as unknown;
  } catch (err) {
    const syntax = scanJson(source).syntax;
    if (!syntax) throw failure(file, 'syntax', `${file} is not valid JSON`, err);
    const { line, column } = positionOf(source, syntax.index);
    throw failure(file, 'syntax', `syntax error at ${at(file, { line, column })}: ${syntax.reason}`, err, { line, column });
  }
}

/** A YAML syntax error (js-yaml's, which carries its position), as a config error. */
function yamlError(file: string, err: unknown): PreventionError {
  const yaml = err as { name?: string; reason?: string; mark?: { line: number; column: number } };
  if (yaml.name !== 'YAMLException' || !yaml.mark) return configReadError(file, err);
  const position = { line: yaml.mark.line + 1, column: yaml.mark.column + 1 };
  return failure(file, 'syntax', `syntax error at ${at(file, position)}: ${yaml.reason ?? 'invalid YAML'}`, err, position);
}

/**
 * The loaders the config search uses for each kind of file: modules through
 * {@link loadConfigModule}, JSON through {@link loadJsonConfig}, YAML through cosmiconfig's
 * own loader (`yaml`) with its errors located.
 */
export function configLoaders(yaml: Loader): Loaders {
  const loadYaml: Loader = async (file, source) => {
    try {
      return await yaml(file, source);
    } catch (err) {
      throw yamlError(file, err);
    }
  };
  const loaders: Loaders = { '.json': loadJsonConfig, '.yaml': loadYaml, '.yml': loadYaml, noExt: loadYaml };
  for (const extension of ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']) loaders[extension] = loadConfigModule;
  return loaders;
}

/** The error for a config file that could not be read at all (`not-found` when it does not exist). */
export function configReadError(file: string, err: unknown): PreventionError {
  if (err instanceof PreventionError) return err;
  if (systemErrorCode(err) === 'ENOENT') return failure(file, 'not-found', `the config file ${file} does not exist`, err);
  return failure(file, 'unreadable', `cannot read the config file ${file}: ${(err as Error).message}`, err);
}
