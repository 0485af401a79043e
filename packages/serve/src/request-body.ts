import type { IncomingMessage } from 'node:http';
import { ErrorCodes, locateJsonError, type JsonValue } from '@prevention/core';
import { RequestError } from './request-error.js';

function tooLarge(limit: number, received: number | undefined): RequestError {
  return new RequestError(
    ErrorCodes.BODY_TOO_LARGE,
    `the request body is larger than the ${limit} bytes this service accepts for it${received === undefined ? '' : ` (Content-Length ${received})`}`,
    "send a smaller body, or raise the limit (`prevention serve --max-body-bytes`, the file's maxBytes)",
    undefined,
    { details: { limit } },
  );
}

/**
 * Reads a request's body, refusing it (413) as soon as it is known to exceed `limit`: from its
 * Content-Length before reading anything, else as the bytes arrive. What was read past the
 * limit is dropped, never buffered.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (declared !== undefined && declared > limit) throw tooLarge(limit, declared);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) throw tooLarge(limit, declared);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

/** The media type of a request (`application/json` of `application/json; charset=utf-8`), lower case. */
export function mediaTypeOf(req: IncomingMessage): string | undefined {
  const header = req.headers['content-type'];
  return header === undefined ? undefined : header.split(';')[0]!.trim().toLowerCase();
}

/** Refuses a request whose body is not one of `accepted` (415). A body without a type is taken as the first. */
export function requireMediaType(req: IncomingMessage, accepted: readonly string[]): string {
  const type = mediaTypeOf(req) ?? accepted[0]!;
  if (accepted.includes(type)) return type;
  throw new RequestError(ErrorCodes.BAD_REQUEST, `this request takes ${accepted.join(' or ')}, not ${type}`, `send Content-Type: ${accepted[0]}`, 415, { details: { contentType: type, accepted } });
}

/**
 * Parses a body as one JSON document (UTF-8). Garbage is 400 `PREVENTION_BAD_REQUEST` with the
 * position of the error; the message never quotes the body, which may hold a secret.
 */
export function parseJsonBody(body: Buffer): JsonValue {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new RequestError(ErrorCodes.BAD_REQUEST, 'the request body is not UTF-8 text', 'send the JSON document encoded as UTF-8');
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    const at = locateJsonError(text);
    throw new RequestError(
      ErrorCodes.BAD_REQUEST,
      `the request body is not valid JSON${at ? ` (line ${at.line}, column ${at.column}: ${at.reason})` : ''}`,
      'send one JSON document',
      undefined,
      at ? { details: { offset: at.offset, line: at.line, column: at.column } } : {},
    );
  }
}
