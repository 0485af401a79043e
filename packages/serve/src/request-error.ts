import { ErrorCodes, isPreventionError, PreventionError, systemErrorCode, type ErrorCode, type PreventionErrorOptions } from '@prevention/core';

/**
 * An error the service raises about a request itself (its path, body, headers): a
 * {@link PreventionError} with the HTTP status to answer with, when the code alone does not say
 * it (415 for a content type, 405 for a method), and what to do about it.
 */
export class RequestError extends PreventionError {
  /** By prototype: PreventionError's brand test would take every PreventionError for one. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return Object.prototype.isPrototypeOf.call(RequestError.prototype, value as object);
  }

  constructor(
    code: ErrorCode,
    message: string,
    readonly hint: string | undefined,
    readonly status?: number,
    options: PreventionErrorOptions = {},
  ) {
    super(code, message, options);
  }
}

/** The HTTP status of each code, as the protocol fixes it (docs/serve.md); anything else is 500. */
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.USAGE]: 400,
  [ErrorCodes.BAD_REQUEST]: 400,
  [ErrorCodes.UNSAFE_PATH]: 400,
  [ErrorCodes.UNAUTHORIZED]: 401,
  [ErrorCodes.UNKNOWN_FILE]: 404,
  [ErrorCodes.CORRUPT_DOCUMENT]: 409,
  [ErrorCodes.OUTSIDE_WRITE]: 409,
  [ErrorCodes.PRECONDITION_FAILED]: 412,
  [ErrorCodes.BODY_TOO_LARGE]: 413,
  [ErrorCodes.VALIDATION_FAILED]: 422,
  [ErrorCodes.UPDATER_FAILED]: 422,
  [ErrorCodes.LOCK_TIMEOUT]: 503,
  [ErrorCodes.ENGINE_CLOSED]: 503,
};

const HINTS: Partial<Record<ErrorCode, string>> = {
  [ErrorCodes.PRECONDITION_FAILED]: 'the file changed since you read it: GET it again and retry with its ETag',
  [ErrorCodes.UNKNOWN_FILE]: 'name a file covered by `files` in the project config (paths are relative to the project root)',
  [ErrorCodes.UNSAFE_PATH]: 'name the file by its path relative to the project root, without `..`, and not through a link leading outside it',
  [ErrorCodes.BODY_TOO_LARGE]: 'send a smaller body, or raise the limit (`prevention serve --max-body-bytes`, the file\'s maxBytes)',
  [ErrorCodes.LOCK_TIMEOUT]: 'another process holds the file lock; retry, or check for a stuck writer',
  [ErrorCodes.ENGINE_CLOSED]: 'the service is stopping; retry once it is back',
  [ErrorCodes.CORRUPT_DOCUMENT]: 'run `prevention restore <file>` to put back the newest valid backup',
  [ErrorCodes.VALIDATION_FAILED]: 'nothing was committed: fix what the JSON pointers in details.issues name and retry',
  [ErrorCodes.UNAUTHORIZED]: 'send `Authorization: Bearer <token>` with the token the service was started with',
};

/** The body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; hint?: string; details?: Record<string, unknown> };
}

/** The status and body to answer a failed request with. */
export function errorResponse(err: unknown): { status: number; body: ErrorBody } {
  const known = isPreventionError(err) ? err : unexpected(err);
  const status = (known instanceof RequestError ? known.status : undefined) ?? STATUS_BY_CODE[known.code] ?? 500;
  const hint = known instanceof RequestError ? known.hint : HINTS[known.code];
  const details: Record<string, unknown> = { ...known.details, ...(known.issues.length > 0 ? { issues: known.issues } : {}) };
  return {
    status,
    body: { error: { code: known.code, message: known.message, ...(hint ? { hint } : {}), ...(Object.keys(details).length > 0 ? { details } : {}) } },
  };
}

/** A failure that is no PreventionError (a bug, or a system error outside a commit): still typed. */
function unexpected(err: unknown): PreventionError {
  const system = systemErrorCode(err);
  const what = err instanceof Error ? err.message : String(err);
  return new PreventionError(ErrorCodes.INTERNAL, `the service failed unexpectedly (${system ?? what}): read the file to see whether the change was made`, { cause: err });
}
