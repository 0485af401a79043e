import type { IncomingMessage } from 'node:http';
import { ErrorCodes, type WriteCondition } from '@prevention/core';
import { RequestError } from './request-error.js';

const ENTITY_TAG = /^"([0-9a-f]{64})"$/;

function badCondition(header: string, value: string, what: string): RequestError {
  return new RequestError(ErrorCodes.BAD_REQUEST, `${header}: ${JSON.stringify(value)} ${what}`, `send ${header === 'If-Match' ? 'If-Match: "<the ETag of the version read>"' : 'If-None-Match: * (create only)'}`, undefined, { details: { header } });
}

/**
 * The write condition of a PUT or PATCH: `If-Match: "<sha256>"` (one strong ETag, as GET gave
 * it) or `If-None-Match: *`. Anything else (a list, a weak tag, `If-Match: *`) is refused rather
 * than guessed at: a condition misread is a lost update.
 */
export function writeConditionOf(req: IncomingMessage): WriteCondition | undefined {
  const ifMatch = req.headers['if-match'];
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifMatch !== undefined && ifNoneMatch !== undefined) {
    throw new RequestError(ErrorCodes.BAD_REQUEST, 'If-Match and If-None-Match cannot be combined', 'send one condition');
  }
  if (ifMatch !== undefined) {
    const tag = ENTITY_TAG.exec(ifMatch.trim());
    if (!tag) throw badCondition('If-Match', ifMatch, 'is not one ETag of this service (a quoted sha256)');
    return { ifMatch: tag[1]! };
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw badCondition('If-None-Match', ifNoneMatch, 'is not supported on a write: only * (the file must not exist)');
    return { ifNoneMatch: '*' };
  }
  return undefined;
}

/** True when a GET's `If-None-Match` names the current version (so the answer is 304). */
export function notModified(req: IncomingMessage, sha256: string | undefined): boolean {
  const header = req.headers['if-none-match'];
  if (header === undefined || sha256 === undefined) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === `"${sha256}"`;
  });
}
