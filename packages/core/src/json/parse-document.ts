import { ErrorCodes, PreventionError } from '../errors.js';
import type { JsonValue } from './json-value.js';
import { checkParsedDocument, type StructureLimits } from './to-json-document.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function corrupt(file: string, message: string, details: Record<string, unknown>, cause?: unknown): PreventionError {
  return new PreventionError(
    ErrorCodes.CORRUPT_DOCUMENT,
    `${file} is corrupt: ${message}. It was not changed; restore it from a backup (prevention restore) or fix it by hand`,
    { file, cause, details },
  );
}

/** Where in the bytes a JSON.parse error points, when V8 says so. */
function byteOffset(text: string, error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : '';
  const at = /position (\d+)/.exec(message);
  if (at) return Buffer.byteLength(text.slice(0, Number(at[1])));
  if (/end of JSON input/.test(message)) return Buffer.byteLength(text);
  return undefined;
}

/**
 * Parses a document read from disk. Anything but a whole, well-formed JSON document within the
 * structural limits is {@link ErrorCodes.CORRUPT_DOCUMENT} with the byte offset where parsing
 * failed: an unreadable file is never mistaken for an empty one.
 */
export function parseDocument(bytes: Uint8Array, file: string, limits: StructureLimits): JsonValue {
  if (bytes.length === 0) throw corrupt(file, 'the file is empty', { reason: 'empty', offset: 0 });
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw corrupt(file, 'the file is not valid UTF-8', { reason: 'invalid-utf8' }, cause);
  }
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (cause) {
    const offset = byteOffset(text, cause);
    const where = offset === undefined ? '' : ` at byte ${offset}`;
    throw corrupt(file, `invalid JSON${where} (${(cause as Error).message})`, { reason: 'invalid-json', offset }, cause);
  }
  const issues = checkParsedDocument(value, limits);
  if (issues.length > 0) {
    const first = issues[0]!;
    throw new PreventionError(
      ErrorCodes.CORRUPT_DOCUMENT,
      `${file} is not acceptable: ${first.path || '/'}: ${first.message}. It was not changed`,
      { file, issues, details: { reason: 'structure' } },
    );
  }
  return value;
}
