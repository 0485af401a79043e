/**
 * The one vocabulary of what can be found wrong with a shared file. The monitor, `prevention
 * check` and anything else that inspects a file use these names, so a metric label, an alert and
 * a `check --json` report name the same problem the same way. Where the engine reports the same
 * damage (`details.reason` of `PREVENTION_CORRUPT_DOCUMENT`), it uses the same word.
 *
 * Types only: this module is part of the public contract and imports no implementation.
 */

/**
 * What is wrong, from the worst (no usable content at the path) to the merely worth knowing:
 *
 * - `deleted`: the file is missing, though prevention committed it;
 * - `unsafe-path`: a symbolic link, directory or other non-regular file stands at the path
 *   (prevention never follows or replaces one; `PREVENTION_UNSAFE_PATH` for a writer);
 * - `unreadable`: the file cannot be read (permissions, I/O error);
 * - `invalid-json`: the bytes are not a JSON document (empty, not UTF-8, a syntax error);
 * - `structure`: well-formed JSON prevention refuses: over the depth limit, a prototype-polluting
 *   key, or values JavaScript would change when read (a repeated key, an integer beyond 2^53);
 * - `too-large`: more bytes than the file's `maxBytes`;
 * - `schema-mismatch`: valid JSON that fails the file's JSON Schema;
 * - `archive-damaged`: the bus archive beside the file lost or changed a committed line;
 * - `modified`: valid content that no commit made: written outside prevention;
 * - `mode-changed`: the content is the last commit's, its permissions are not;
 * - `records-unreadable`: the commit records (journal, backups) cannot be read, so the file
 *   could not be compared with its last commit.
 */
export type FindingKind =
  | 'deleted'
  | 'unsafe-path'
  | 'unreadable'
  | 'invalid-json'
  | 'structure'
  | 'too-large'
  | 'schema-mismatch'
  | 'archive-damaged'
  | 'modified'
  | 'mode-changed'
  | 'records-unreadable';

/**
 * How bad a finding is. `error`: the content cannot be used as it is, so it is restored under
 * every `onOutsideWrite` policy but `alert-only`, and `check` exits 1. `warn`: the file is usable;
 * what to do about the difference is the file's policy.
 */
export type FindingSeverity = 'error' | 'warn';

/** One thing found wrong with a file. */
export interface Finding {
  kind: FindingKind;
  /** What was found, for people; it never quotes the file's content. */
  message: string;
  /** sha256 of the content found, when there is content. */
  sha256?: string;
  /** JSON pointer of the offending value (`structure`, `schema-mismatch`). */
  pointer?: string;
  /** Byte offset where parsing failed (`invalid-json`), with its line and column (1-based). */
  offset?: number;
  line?: number;
  column?: number;
  /** Particulars for logs and alerts: the expected and found sha256 or mode, the last commit, the issues... */
  details?: Record<string, unknown>;
}
