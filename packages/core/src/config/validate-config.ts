import { Ajv, type ErrorObject } from 'ajv';
import { ErrorCodes, PreventionError } from '../errors.js';
import type { PreventionConfig } from './define-config.js';

const middlewareObject = {
  type: 'object',
  required: ['name', 'handle'],
  properties: { name: { type: 'string', minLength: 1 }, handle: { isFunction: true } },
};

const fileOptions = {
  schema: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'object' }] },
  initial: {},
  maxBytes: { type: 'integer', minimum: 2 },
  maxDepth: { type: 'integer', minimum: 1, maximum: 100000 },
  indent: { type: 'integer', minimum: 0, maximum: 10 },
  pipeline: { type: 'array', items: { anyOf: [{ type: 'string', minLength: 1 }, middlewareObject] } },
  lock: {
    type: 'object',
    additionalProperties: false,
    properties: { staleMs: { type: 'integer', minimum: 2000 }, timeoutMs: { type: 'integer', minimum: 0 } },
  },
  backup: { type: 'object', additionalProperties: false, properties: { required: { type: 'boolean' } } },
  onCorrupt: { enum: ['restore', 'fail'] },
  onOutsideWrite: { enum: ['restore', 'accept', 'alert-only'] },
};

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...fileOptions,
    files: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['path'], properties: { path: { type: 'string', minLength: 1 }, ...fileOptions } },
    },
    plugins: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'register'],
        properties: {
          name: { type: 'string', minLength: 1 },
          dependencies: { type: 'array', items: { type: 'string' } },
          register: { isFunction: true },
        },
      },
    },
    logger: {
      type: 'object',
      additionalProperties: false,
      properties: {
        level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
        pretty: { type: 'boolean' },
        fd: { type: 'integer', minimum: 0 },
        redact: { type: 'array', items: { type: 'string' } },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addKeyword({ keyword: 'isFunction', schemaType: 'boolean', validate: (_: boolean, data: unknown) => typeof data === 'function', errors: false });
const validate = ajv.compile(configSchema);

/** `/files/0/lock` → `files[0].lock`. */
function keyPath(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1);
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      return `unknown key "${keyPath(error.instancePath, key)}"`;
    }
    case 'required':
      return `"${keyPath(error.instancePath, String((error.params as { missingProperty: string }).missingProperty))}" is required`;
    case 'isFunction':
      return `"${keyPath(error.instancePath)}" must be a function`;
    default:
      return `"${keyPath(error.instancePath) || '(root)'}" ${error.message ?? 'is invalid'}`;
  }
}

/**
 * Validates a configuration object and returns it typed. Unknown keys and wrong types fail with
 * `PREVENTION_CONFIG_INVALID`, naming each bad key.
 *
 * @param source where the config came from, for the message (a file path or "options")
 */
export function validateConfig(raw: unknown, source: string): PreventionConfig {
  if (validate(raw)) return raw as PreventionConfig;
  // anyOf reports every branch; the branch errors say more than the summary line.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'anyOf');
  const problems = [...new Set((errors.length > 0 ? errors : (validate.errors ?? [])).map(describe))];
  throw new PreventionError(ErrorCodes.CONFIG_INVALID, `invalid prevention config (${source}): ${problems.join('; ')}`, {
    issues: problems.map((message, i) => ({ path: (errors[i] ?? validate.errors?.[i])?.instancePath ?? '', message })),
    details: { source, reason: 'invalid' },
  });
}
