import type { ServerResponse } from 'node:http';
import { ErrorCodes } from '@prevention/core';
import { errorResponse } from './request-error.js';

/** Sends `body` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Sends a failure as the protocol's typed error body. After a refused body the connection is
 * closed: the rest of what the client is sending was not read, and must not be taken for the
 * next request.
 */
export function sendError(res: ServerResponse, err: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  const { status, body } = errorResponse(err);
  const closing: Record<string, string> = body.error.code === ErrorCodes.BODY_TOO_LARGE ? { Connection: 'close' } : {};
  sendJson(res, status, body, { ...headers, ...closing });
}

/** An ETag for a version: its sha256, quoted as HTTP wants. */
export function etagOf(sha256: string): string {
  return `"${sha256}"`;
}
