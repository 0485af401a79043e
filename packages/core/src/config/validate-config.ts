import type { DocumentStore, PreventionConfig } from '../contract.js';
import { ErrorCodes, PreventionError, type ValidationIssue } from '../errors.js';
import { suggestName } from './suggest-name.js';

/*
 * The config's shape, checked by hand rather than by a JSON Schema: it holds functions
 * (plugins, middleware) that JSON Schema cannot describe, an unknown key gets the nearest known
 * one as a "did you mean", and nothing is compiled when the package loads.
 */

type Segment = string | number;

/** Checks a value at `at`, adding what is wrong to `problems`. */
type Rule = (value: unknown, at: readonly Segment[], problems: ValidationIssue[]) => void;

/** `['files', 0, 'lock']` → `files[0].lock`. */
function keyPath(at: readonly Segment[]): string {
  return at.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function pointer(at: readonly Segment[]): string {
  return at.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** A short rendering of a bad value for the message: its type for objects, the value for scalars. */
function shown(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function problem(problems: ValidationIssue[], at: readonly Segment[], message: string): void {
  problems.push({ path: pointer(at), message: `"${keyPath(at) || '(root)'}" ${message}` });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function integer(min: number, max = Infinity): Rule {
  return (value, at, problems) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) problem(problems, at, `must be an integer (got ${shown(value)})`);
    else if (value < min || value > max) problem(problems, at, max === Infinity ? `must be at least ${min} (got ${value})` : `must be between ${min} and ${max} (got ${value})`);
  };
}

const boolean: Rule = (value, at, problems) => {
  if (typeof value !== 'boolean') problem(problems, at, `must be true or false (got ${shown(value)})`);
};

const name: Rule = (value, at, problems) => {
  if (typeof value !== 'string' || value === '') problem(problems, at, `must be a non-empty string (got ${shown(value)})`);
};

const func: Rule = (value, at, problems) => {
  if (typeof value !== 'function') problem(problems, at, `must be a function (got ${shown(value)})`);
};

const anything: Rule = () => {};

function oneOf(...allowed: string[]): Rule {
  return (value, at, problems) => {
    if (!allowed.includes(value as string)) problem(problems, at, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')} (got ${shown(value)})`);
  };
}

function arrayOf(item: Rule): Rule {
  return (value, at, problems) => {
    if (!Array.isArray(value)) return problem(problems, at, `must be an array (got ${shown(value)})`);
    value.forEach((entry, index) => item(entry, [...at, index], problems));
  };
}

/**
 * An object with these keys (`required` ones must be present). A closed object refuses any
 * other key, suggesting the nearest known one; an open one (a plugin, a middleware: objects
 * of the user's own making) allows them.
 */
function object(fields: Record<string, Rule>, { required = [] as string[], open = false } = {}): Rule {
  return (value, at, problems) => {
    if (!isRecord(value)) return problem(problems, at, `must be an object (got ${shown(value)})`);
    for (const key of required) if (value[key] === undefined) problem(problems, [...at, key], 'is required');
    for (const [key, entry] of Object.entries(value)) {
      const rule = fields[key];
      if (rule) {
        if (entry !== undefined) rule(entry, [...at, key], problems);
      } else if (!open) {
        const suggestion = suggestName(key, Object.keys(fields));
        problems.push({ path: pointer([...at, key]), message: `unknown key "${keyPath([...at, key])}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}` });
      }
    }
  };
}

const middlewareObject = object({ name, handle: func }, { required: ['name', 'handle'], open: true });

const pipelineEntry: Rule = (value, at, problems) => {
  if (typeof value === 'string') return name(value, at, problems);
  if (!isRecord(value)) return problem(problems, at, `must be a step name or a middleware object { name, handle } (got ${shown(value)})`);
  middlewareObject(value, at, problems);
};

const schema: Rule = (value, at, problems) => {
  if (typeof value === 'string' ? value === '' : !isRecord(value)) problem(problems, at, `must be a path to a JSON Schema file or a schema object (got ${shown(value)})`);
};

const fileOptions: Record<string, Rule> = {
  schema,
  initial: anything,
  maxBytes: integer(2),
  maxDepth: integer(1, 100_000),
  indent: integer(0, 10),
  pipeline: arrayOf(pipelineEntry),
  lock: object({ staleMs: integer(2000), timeoutMs: integer(0) }),
  backup: object({ required: boolean }),
  onCorrupt: oneOf('restore', 'fail'),
  onOutsideWrite: oneOf('restore', 'accept', 'alert-only'),
  acceptOutsideAppends: boolean,
  eventFormat: oneOf('auto', 'prevention', 'legacy-event', 'legacy-event-type'),
};

/**
 * What every {@link DocumentStore} has, to tell one apart from a typo or an unawaited promise
 * without trusting its class: a missing member would otherwise fail at the first write, far
 * from the config.
 */
const STORE_METHODS = ['prepare', 'head', 'load', 'readBack', 'lock', 'commit', 'revert', 'record', 'lastRecord', 'quarantine'] as const satisfies ReadonlyArray<keyof DocumentStore>;
const OPTIONAL_STORE_METHODS = ['close', 'migrations'] as const satisfies ReadonlyArray<keyof DocumentStore>;

const store: Rule = (value, at, problems) => {
  // Only the type is shown: a connection string put here by mistake may carry a password.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return problem(problems, at, `must be a DocumentStore, such as postgresStore(...) (got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`})`);
  const candidate = value as Record<string, unknown>;
  const missing = [
    ...(typeof candidate.kind === 'string' ? [] : ['kind']),
    ...STORE_METHODS.filter((method) => typeof candidate[method] !== 'function').map((method) => `${method}()`),
  ];
  const wrong = OPTIONAL_STORE_METHODS.filter((method) => candidate[method] !== undefined && typeof candidate[method] !== 'function').map((method) => `${method}()`);
  if (missing.length > 0) problem(problems, at, `must be a DocumentStore: it has no ${missing.join(', ')}`);
  if (wrong.length > 0) problem(problems, at, `must be a DocumentStore: ${wrong.join(', ')} must be a function`);
};

const config = object({
  ...fileOptions,
  store,
  files: arrayOf(object({ path: name, ...fileOptions }, { required: ['path'] })),
  plugins: arrayOf(object({ name, dependencies: arrayOf(name), register: func }, { required: ['name', 'register'], open: true })),
  logger: object({
    level: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    pretty: boolean,
    fd: integer(0),
    redact: arrayOf(name),
  }),
});

/**
 * Validates a configuration object and returns it typed. Unknown keys (with the nearest known
 * key as a "did you mean") and wrong types fail with `PREVENTION_CONFIG_INVALID`, naming each
 * bad key; `details.reason` is `invalid` and `issues` has one entry per problem, by JSON pointer.
 *
 * @param source where the config came from, for the message (a file path or "options")
 */
export function validateConfig(raw: unknown, source: string): PreventionConfig {
  const problems: ValidationIssue[] = [];
  config(raw, [], problems);
  if (problems.length === 0) return raw as PreventionConfig;
  throw new PreventionError(ErrorCodes.CONFIG_INVALID, `invalid prevention config (${source}): ${problems.map((p) => p.message).join('; ')}`, {
    issues: problems,
    details: { source, reason: 'invalid' },
  });
}
