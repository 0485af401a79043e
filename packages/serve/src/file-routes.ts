import { ErrorCodes, isPreventionError, type CommitResult, type EngineApi } from '@prevention/core';
import { notModified, writeConditionOf } from './conditions.js';
import { jsonBodyOf, type Exchange } from './exchange.js';
import { documentPatch, JSON_PATCH, MERGE_PATCH } from './patch-document.js';
import { requireMediaType } from './request-body.js';
import { etagOf, sendError, sendJson } from './responses.js';

/**
 * `/v1/files/{file}`: GET the document with its ETag, PUT a new one, PATCH it (RFC 6902 or
 * 7396), each write conditional on `If-Match` / `If-None-Match: *` checked under the lock, in
 * the engine's group commit.
 */
export class FileRoutes {
  constructor(
    private readonly engine: EngineApi,
    private readonly maxBodyBytes: number,
  ) {}

  async get({ req, res, file }: Exchange): Promise<void> {
    const { document, sha256 } = await this.engine.readVersion(file);
    const headers: Record<string, string> = sha256 === undefined ? {} : { ETag: etagOf(sha256) };
    if (notModified(req, sha256)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    sendJson(res, 200, document, headers);
  }

  async put(exchange: Exchange): Promise<void> {
    requireMediaType(exchange.req, ['application/json']);
    const condition = writeConditionOf(exchange.req);
    const { value } = await jsonBodyOf(this.engine, exchange, this.maxBodyBytes);
    await this.committed(exchange, () => this.engine.write(exchange.file, value, condition));
  }

  async patch(exchange: Exchange): Promise<void> {
    const mediaType = requireMediaType(exchange.req, [JSON_PATCH, MERGE_PATCH]);
    const condition = writeConditionOf(exchange.req);
    const { value } = await jsonBodyOf(this.engine, exchange, this.maxBodyBytes);
    const apply = documentPatch(mediaType, value);
    await this.committed(exchange, () => this.engine.update(exchange.file, (draft) => apply(draft), condition));
  }

  /** Answers a commit: 200 with its result and new ETag, or 412 with the current ETag. */
  private async committed({ res, file }: Exchange, commit: () => Promise<CommitResult>): Promise<void> {
    try {
      const result = await commit();
      sendJson(res, 200, result, { ETag: etagOf(result.sha256) });
    } catch (err) {
      if (!isPreventionError(err, ErrorCodes.PRECONDITION_FAILED)) throw err;
      const { sha256 } = await this.engine.readVersion(file).catch(() => ({ sha256: undefined }));
      sendError(res, err, sha256 === undefined ? {} : { ETag: etagOf(sha256) });
    }
  }
}
