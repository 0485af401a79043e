import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EngineApi, JsonValue } from '@prevention/core';
import { parseJsonBody, readBody } from './request-body.js';

/** One request being answered, its `{file}` already resolved to a managed file. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** Absolute path of the file the request names. */
  file: string;
  query: URLSearchParams;
}

/** The limit on request bodies for one file: the service's, lowered to the file's maxBytes. */
export async function bodyLimitFor(engine: EngineApi, file: string, maxBodyBytes: number): Promise<number> {
  return Math.min(maxBodyBytes, (await engine.settings(file)).maxBytes);
}

/** Reads and parses a JSON request body within the file's limit, returning its bytes too. */
export async function jsonBodyOf(engine: EngineApi, exchange: Exchange, maxBodyBytes: number): Promise<{ bytes: Buffer; value: JsonValue }> {
  const bytes = await readBody(exchange.req, await bodyLimitFor(engine, exchange.file, maxBodyBytes));
  return { bytes, value: parseJsonBody(bytes) };
}
