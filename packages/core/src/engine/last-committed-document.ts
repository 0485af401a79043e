import type { BackupStrategy, JsonValue, LastCommit } from '../contract.js';
import { listBackups } from '../backup/select-backup.js';
import { sha256Hex } from '../commit/sha256.js';
import { parseDocument } from '../json/parse-document.js';
import type { DocumentCache } from './document-cache.js';

/**
 * The document of the last commit prevention made, to compare an outside version with: this
 * engine's cached copy when it is that commit, else the backup with its sha256 (read and
 * checked against it). `undefined` when neither holds it.
 */
export async function lastCommittedDocument(
  services: { cache: DocumentCache; strategies: readonly BackupStrategy[] },
  file: string,
  lastCommit: LastCommit,
  maxDepth: number,
): Promise<JsonValue | undefined> {
  const cached = services.cache.peek(file);
  if (cached?.sha256 === lastCommit.sha256) return cached.document;
  const backup = (await listBackups(services.strategies, file).catch(() => [])).find((b) => b.record.sha256 === lastCommit.sha256);
  const bytes = backup && (await backup.strategy.read(backup.record).catch(() => undefined));
  return bytes && sha256Hex(bytes) === lastCommit.sha256 ? parseDocument(bytes, file, { maxDepth }) : undefined;
}
