import type { JsonValue } from '../contract.js';
import { isUnusableDocument, parseDocument } from '../json/parse-document.js';
import type { ContentInspection, ContentSettings } from './inspect-file.js';

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
