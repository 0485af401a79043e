import type { ErrorCode } from '@prevention/core';

/**
 * The codes the client raises itself, from core's registry (checked against it at compile
 * time; the client never loads core).
 */
export const ClientCodes = {
  /** Nothing answers on the socket (and the service was not, or could not be, started). */
  UNAVAILABLE: 'PREVENTION_ENGINE_CLOSED',
  /** The connection failed or timed out mid-request: the outcome is unknown. */
  TRANSPORT: 'PREVENTION_IO_FAILED',
  /** A conditional write lost every attempt to a concurrent writer. */
  PRECONDITION_FAILED: 'PREVENTION_PRECONDITION_FAILED',
  /** The service answered something that is not the protocol. */
  BAD_ANSWER: 'PREVENTION_INTERNAL',
  /** The client was used wrongly (no project found, closed client). */
  USAGE: 'PREVENTION_USAGE',
} as const satisfies Record<string, ErrorCode>;

/** Options of {@link PreventionClientError}. */
export interface ClientErrorOptions {
  /** The HTTP status of the service's answer (undefined when there was none). */
  status?: number;
  hint?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * Every failure of the client: the service's typed error (its `code` is core's, the same a
 * `PreventionError` carries in-process) or the client's own. Test `err.code`, not the message.
 */
export class PreventionClientError extends Error {
  override readonly name = 'PreventionClientError';
  readonly code: ErrorCode;
  /** The HTTP status of the service's answer; undefined when no answer came. */
  readonly status: number | undefined;
  /** What to do about it, when the service said. */
  readonly hint: string | undefined;
  /** Machine-readable detail (`issues` for a validation failure, ...). */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: ClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }
}

/** True when `err` is a {@link PreventionClientError}, optionally with the given code. */
export function isClientError(err: unknown, code?: ErrorCode): err is PreventionClientError {
  return err instanceof PreventionClientError && (code === undefined || err.code === code);
}
