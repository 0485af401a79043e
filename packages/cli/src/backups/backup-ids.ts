import { ErrorCodes, type BackupRecord } from '@prevention/core';
import { CliError } from '../output/errors.js';

/** Short ids are never shorter than this, as git abbreviates to 7 characters at least. */
const MIN_LENGTH = 7;

/** How many candidates an ambiguous id lists. */
const LISTED = 10;

/** Characters `a` and `b` have in common at their start. */
function commonPrefixLength(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n += 1;
  return n;
}

/**
 * The length that makes every one of `ids` unique, as `git log --oneline` abbreviates: one
 * length for all, so the column lines up. A backup id (about 100 characters: time, seq, size,
 * sha256, generation, mode) starts with its time, so the length lands a little past the
 * millisecond that tells two backups apart.
 */
export function shortIdLength(ids: readonly string[]): number {
  const sorted = [...new Set(ids)].sort();
  let length = MIN_LENGTH;
  // Sorted, each id shares its longest prefix with a neighbour.
  for (let i = 1; i < sorted.length; i++) length = Math.max(length, commonPrefixLength(sorted[i - 1]!, sorted[i]!) + 1);
  return length;
}

/**
 * The id of the backup `given` names: an id, or a prefix that starts only one (as git takes an
 * abbreviated commit). The same id in two strategies (one commit saved by both) is one backup.
 * A prefix that starts several is a usage error listing them; one that starts none is left to
 * the restore, which says that no such backup exists.
 */
export function resolveBackupId(records: readonly BackupRecord[], given: string, fileName: string): string {
  const matching = records.filter((record) => record.id.startsWith(given));
  const ids = [...new Set(matching.map((record) => record.id))];
  if (ids.length <= 1) return ids[0] ?? given;
  const length = shortIdLength(records.map((record) => record.id));
  const listed = matching.slice(0, LISTED).map((r) => `${r.id.slice(0, length)} (${r.strategy}${r.generation === undefined ? '' : `, generation ${r.generation}`})`);
  const more = matching.length > LISTED ? `, and ${matching.length - LISTED} more` : '';
  throw new CliError(
    ErrorCodes.USAGE,
    `backup id "${given}" is ambiguous: ${matching.length} backups of ${fileName} start with it: ${listed.join(', ')}${more}`,
    'give more of the id, as `prevention backups <file>` shows it',
    undefined,
    { file: matching[0]!.file, details: { candidates: ids } },
  );
}
