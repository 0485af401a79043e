import type { FileSettings, JsonValue } from '../contract.js';
import type { PreventionError, ValidationIssue } from '../errors.js';
import { isUnusableDocument, parseDocument } from '../json/parse-document.js';

/** The settings `content()` of an inspection checks the bytes against. */
export type ContentSettings = Pick<FileSettings, 'maxBytes' | 'maxDepth' | 'schema'>;

/** What a document's content is worth. */
export type ContentInspection = (
  | {
      /** The parsed document. */
      document: JsonValue;
      corrupt: undefined;
    }
  | {
      document: undefined;
      /**
       * Why the bytes are not a usable document: `PREVENTION_CORRUPT_DOCUMENT` (`details.reason`,
       * `details.offset`, or `issues` for structure), or `PREVENTION_VALIDATION_FAILED` with
       * `details.reason` `inexact` and `issues` for values that would change when read.
       */
      corrupt: PreventionError;
    }
) & {
  /** The schema's complaints, each with its JSON pointer (none without a schema or a document). */
  schemaIssues: ValidationIssue[];
  /** The file is larger than `maxBytes`. */
  overSize: boolean;
};


/**
 * Parses a version's bytes and checks them against the document's limits and schema, the way
 * a writer would load them: shared by the inspection of a file and of a stored document.
 */
export function inspectContent(bytes: Buffer, file: string, settings: ContentSettings): ContentInspection {
  const overSize = bytes.length > settings.maxBytes;
  let document: JsonValue;
  try {
    document = parseDocument(bytes, file, { maxDepth: settings.maxDepth });
  } catch (err) {
    if (!isUnusableDocument(err)) throw err;
    return { document: undefined, corrupt: err, schemaIssues: [], overSize };
  }
  return { document, corrupt: undefined, schemaIssues: settings.schema?.(document) ?? [], overSize };
}
