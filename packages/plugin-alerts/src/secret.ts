import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/** Path segments that name a kind of endpoint rather than identify one; they are no secret. */
const COMMON_SEGMENTS = new Set(['hooks', 'hook', 'webhook', 'webhooks', 'services', 'service', 'incoming', 'triggers', 'workflows', 'alerts', 'notify', 'messages']);

/**
 * The parts of a secret URL that identify or authorize it on their own, each worth hiding:
 * userinfo, every path segment but common words and version tags (`v1`), every query value.
 * A receiver echoing its request path ("Cannot POST /hooks/T0/B0/xoxb-…") quotes them without
 * the rest of the URL. Parts under 4 characters are left: they carry too little to matter, and
 * hiding every "2" would garble the messages.
 */
function fragmentsOf(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [];
  }
  const decode = (part: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  const parts = [decode(url.username), decode(url.password), ...url.pathname.split('/').map(decode), ...url.searchParams.values()];
  return [...new Set(parts)].filter((part) => part.length >= 4 && !COMMON_SEGMENTS.has(part.toLowerCase()) && !/^v\d+$/i.test(part)).sort((a, b) => b.length - a.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A secret value (a webhook URL, an SMTP password). It prints as `[redacted]` however it is
 * logged, stringified or inspected; only {@link Secret.reveal} gives the value, at the point
 * where it is handed to the network client.
 */
export class Secret {
  readonly #value: string;
  /** Matches each part of the value (see `fragmentsOf`) where it stands as a whole token. */
  readonly #fragments: RegExp | undefined;

  constructor(value: string) {
    this.#value = value;
    const forms = fragmentsOf(value).flatMap((part) => [...new Set([part, encodeURIComponent(part)])]);
    this.#fragments = forms.length > 0 ? new RegExp(`(?<![A-Za-z0-9])(?:${forms.map(escapeRegExp).join('|')})(?![A-Za-z0-9])`, 'g') : undefined;
  }

  /** The secret itself. Never pass the result to a logger or an error message. */
  reveal(): string {
    return this.#value;
  }

  /**
   * Replaces every occurrence of the secret (and of its URL-encoded forms) in `text`, and of
   * each part of a secret URL that identifies it on its own: userinfo, path segments, query
   * values (plain or URL-encoded), wherever one stands as a whole token.
   */
  scrub(text: string): string {
    let result = text;
    for (const form of new Set([this.#value, encodeURIComponent(this.#value), encodeURI(this.#value)])) {
      if (form) result = result.split(form).join(REDACTED);
    }
    return this.#fragments ? result.replace(this.#fragments, REDACTED) : result;
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
