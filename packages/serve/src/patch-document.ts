import { createRequire } from 'node:module';
import { ErrorCodes, PreventionError, type JsonObject, type JsonValue } from '@prevention/core';
import type * as JsonPatch from 'fast-json-patch';
import { RequestError } from './request-error.js';

// A CommonJS package without an `exports` map: required, as Node's ESM loader would otherwise
// guess its named exports.
const jsonPatch = createRequire(import.meta.url)('fast-json-patch') as typeof JsonPatch;

/** The media types PATCH accepts. */
export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';

/** A patch document checked for shape, ready to apply to the latest version under the lock. */
export type DocumentPatch = (document: JsonValue) => JsonValue;

/**
 * Checks a PATCH body before anything is locked: an RFC 6902 operation list whose operations are
 * well formed, or any JSON value for an RFC 7396 merge patch. A bad one is 400, and no commit
 * is attempted. What the returned function throws (a `test` that fails, a path that is not in
 * the document) is the updater's failure: 422, nothing committed.
 */
export function documentPatch(mediaType: string, body: JsonValue): DocumentPatch {
  if (mediaType === MERGE_PATCH) return (document) => mergePatch(document, body);
  if (!Array.isArray(body)) throw badPatch('a JSON Patch document is an array of operations');
  const operations = body as unknown as JsonPatch.Operation[];
  const shape = jsonPatch.validate(operations);
  if (shape) throw badPatch(`operation ${shape.index ?? 0} is malformed (${shape.name})`, { reason: shape.name, index: shape.index });
  return (document) => {
    try {
      return jsonPatch.applyPatch(document, operations, true, true, true).newDocument as JsonValue;
    } catch (err) {
      if (!(err instanceof jsonPatch.JsonPatchError)) throw err;
      // The library's message quotes the whole document: name the operation, never the content.
      const operation = operations[err.index ?? 0];
      const failed = err.name === 'TEST_OPERATION_FAILED' ? 'its test failed' : `it does not apply to the document (${err.name})`;
      throw new PreventionError(ErrorCodes.UPDATER_FAILED, `JSON Patch operation ${err.index ?? 0} (${operation?.op} ${JSON.stringify(operation?.path)}) was not applied: ${failed}`, {
        details: { reason: err.name, index: err.index ?? 0 },
      });
    }
  };
}

function badPatch(message: string, details: Record<string, unknown> = {}): RequestError {
  return new RequestError(ErrorCodes.BAD_REQUEST, `bad patch document: ${message}`, 'send an RFC 6902 operation list (application/json-patch+json) or an RFC 7396 merge patch (application/merge-patch+json)', undefined, { details });
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * RFC 7396: an object patch merges key by key (`null` removes a key), anything else replaces
 * the target. It builds the merged objects anew and leaves `target` as it is (an update's draft
 * takes no property definitions); keys are defined, never assigned, so a `__proto__` key stays a
 * plain key (which validation then refuses) instead of changing an object's prototype.
 */
export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else Object.defineProperty(result, key, { value: mergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value), enumerable: true, writable: true, configurable: true });
  }
  return result;
}
