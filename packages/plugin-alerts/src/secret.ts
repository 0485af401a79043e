import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value (a webhook URL, an SMTP password). It prints as `[redacted]` however it is
 * logged, stringified or inspected; only {@link Secret.reveal} gives the value, at the point
 * where it is handed to the network client.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself. Never pass the result to a logger or an error message. */
  reveal(): string {
    return this.#value;
  }

  /** Replaces every occurrence of the secret (and of its URL-encoded form) in `text`. */
  scrub(text: string): string {
    let result = text;
    for (const form of new Set([this.#value, encodeURIComponent(this.#value), encodeURI(this.#value)])) {
      if (form) result = result.split(form).join(REDACTED);
    }
    return result;
  }

  /**
   * A copy of `err` safe to log or attach as a `cause`: its message and stack scrubbed of the
   * secret, its `code` kept, and its own `cause` dropped (a client library's cause may carry
   * the request, URL or credentials).
   */
  scrubError(err: unknown): Error {
    const original = err instanceof Error ? err : new Error(String(err));
    const copy = new Error(this.scrub(original.message));
    copy.name = original.name;
    copy.stack = this.scrub(original.stack ?? '');
    const code = (original as { code?: unknown }).code;
    if (typeof code === 'string') Object.assign(copy, { code });
    return copy;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
