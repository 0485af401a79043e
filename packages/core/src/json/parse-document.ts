import type { JsonValue } from '../contract.js';
import { ErrorCodes, isPreventionError, PreventionError } from '../errors.js';
import { scanJson } from './json-scan.js';
import { checkParsedDocument, type ParsedTally, type StructureLimits } from './to-json-document.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function corrupt(file: string, message: string, details: Record<string, unknown>, cause?: unknown): PreventionError {
  return new PreventionError(
    ErrorCodes.CORRUPT_DOCUMENT,
    `${file} is corrupt: ${message}. It was not changed; restore it from a backup (prevention restore) or fix it by hand`,
    { file, cause, details },
  );
}

/** Where text stops being JSON: byte offset, line and column (1-based, the column in bytes), and why. */
export interface JsonSyntaxError {
  offset: number;
  line: number;
  column: number;
  /** What is wrong there, in words of its own: never a snippet of the text. */
  reason: string;
}

/** Line and column (1-based, the column in bytes) of a byte offset of UTF-8 `bytes`. */
function lineAndColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1 && at < offset; at = bytes.indexOf(0x0a, at + 1)) {
    line += 1;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Where and why `text` is not JSON, for text from anywhere (a file, a command-line argument):
 * V8's own message quotes the text around the error, which may be a secret, so the position and
 * reason come from {@link scanJson}. `undefined` when the text is JSON.
 */
export function locateJsonError(text: string): JsonSyntaxError | undefined {
  const syntax = scanJson(text).syntax;
  if (!syntax) return undefined;
  return { ...positionOf(text, syntax.index), reason: syntax.reason };
}

/** Byte offset, line and column (1-based, the column in bytes) of a character index of `text`. */
export function positionOf(text: string, index: number): { offset: number; line: number; column: number } {
  const before = Buffer.from(text.slice(0, index));
  return { offset: before.length, ...lineAndColumn(before, before.length) };
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const trailing = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (trailing === 0) return i;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= trailing; k++) {
      const byte = bytes[i + k];
      if (byte === undefined || byte < (k === 1 ? low : 0x80) || byte > (k === 1 ? high : 0xbf)) return i;
    }
    i += trailing + 1;
  }
  return -1;
}

/** The file's bytes are not JSON text: where and why, never what they are. */
function invalidJson(file: string, text: string): PreventionError {
  const at = locateJsonError(text);
  if (!at) return corrupt(file, 'invalid JSON', { reason: 'invalid-json' });
  const { offset, line, column, reason } = at;
  return corrupt(file, `invalid JSON at byte ${offset} (line ${line}, column ${column}): ${reason}`, { reason: 'invalid-json', offset, line, column, syntax: reason });
}

/** The file's bytes are not UTF-8 (JSON text must be): where the first bad sequence starts. */
function invalidUtf8(file: string, bytes: Uint8Array, cause: unknown): PreventionError {
  const offset = firstInvalidUtf8(bytes);
  if (offset === -1) return corrupt(file, 'the file is not valid UTF-8', { reason: 'invalid-utf8' }, cause);
  const { line, column } = lineAndColumn(bytes, offset);
  return corrupt(file, `the file is not valid UTF-8 at byte ${offset} (line ${line}, column ${column})`, { reason: 'invalid-utf8', offset, line, column }, cause);
}

/**
 * True unless the parse provably changed nothing. A number beyond ±(2^53 - 1) may have been
 * rounded. A repeated key leaves no trace in the parsed value, but every member of the text
 * has one `:` outside strings, so the text's `:` count differs from the tally (members plus
 * the `:` inside parsed strings) exactly when a member was dropped, unless an escaped `:`
 * (`\u003a`) evens it out. One `indexOf` pass over the text on top of the walk that runs anyway.
 */
function mayBeInexact(text: string, tally: ParsedTally): boolean {
  if (tally.beyondSafeIntegers) return true;
  let colons = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) colons += 1;
  return colons !== tally.colons || /\\u003[aA]/.test(text);
}

/**
 * Parses a document read from disk. Anything but a whole, well-formed JSON document within the
 * structural limits is {@link ErrorCodes.CORRUPT_DOCUMENT}, with the byte offset, line, column
 * and reason where parsing failed (never a snippet of the content): an unreadable file is never
 * mistaken for an empty one.
 *
 * A well-formed document that JavaScript cannot hold without changing it (another tool wrote
 * a repeated key, or an integer beyond 2^53) is refused with {@link ErrorCodes.VALIDATION_FAILED},
 * each value named by its JSON pointer, `details.reason` `inexact`: reading it would hand out,
 * and the next commit would write back, other values than the file holds. Refusing until the
 * file is fixed loses nothing, whereas keeping such values exactly would need a lossless parser
 * for every reader of the document, several times slower than `JSON.parse` on the hot path.
 * The file is not corrupt, so it is not repaired from a backup either.
 */
export function parseDocument(bytes: Uint8Array, file: string, limits: StructureLimits): JsonValue {
  if (bytes.length === 0) throw corrupt(file, 'the file is empty', { reason: 'empty', offset: 0, line: 1, column: 1 });
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw invalidUtf8(file, bytes, cause);
  }
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch {
    throw invalidJson(file, text);
  }
  const tally: ParsedTally = { colons: 0, beyondSafeIntegers: false };
  const issues = checkParsedDocument(value, limits, tally);
  if (issues.length > 0) {
    const first = issues[0]!;
    throw new PreventionError(
      ErrorCodes.CORRUPT_DOCUMENT,
      `${file} is not acceptable: ${first.path || '/'}: ${first.message}. It was not changed`,
      { file, issues, details: { reason: 'structure' } },
    );
  }
  if (mayBeInexact(text, tally)) {
    const inexact = scanJson(text).issues;
    if (inexact.length > 0) {
      const listed = inexact.slice(0, 5).map((i) => `${i.path || '/'}: ${i.message}`).join('; ');
      throw new PreventionError(
        ErrorCodes.VALIDATION_FAILED,
        `${file} holds values that would change when read: ${listed}. It was not changed, and is neither read nor written until they are fixed`,
        { file, issues: inexact, details: { reason: 'inexact' } },
      );
    }
  }
  return value;
}

/**
 * True for the errors {@link parseDocument} raises about the bytes themselves (corrupt, or
 * holding values that would change when read): a restore may replace such a file, keeping the
 * bytes aside, where any other error stops it.
 */
export function isUnusableDocument(err: unknown): err is PreventionError {
  return isPreventionError(err, ErrorCodes.CORRUPT_DOCUMENT) || (isPreventionError(err, ErrorCodes.VALIDATION_FAILED) && err.details.reason === 'inexact');
}
