import { inspectFile, type ContentInspection, type EngineApi, type FileSystem, type LastCommit, type VersionStanding } from '@prevention/core';
import { atPosition } from '../output/format.js';
import { describeArchiveDamage, inspectArchiveOf } from './archive-check.js';

/** How bad a finding is: `error` makes `check` exit 1, `warn` is reported only. */
export type Severity = 'warn' | 'error';

/** One thing found wrong (or worth knowing) about a file. */
export interface Finding {
  kind: 'deleted' | 'unsafe-path' | 'unreadable' | 'parse' | 'structure' | 'schema' | 'too-large' | 'modified-outside' | 'archive-damaged';
  severity: Severity;
  message: string;
  /** JSON pointer of the offending value (schema and structure findings). */
  pointer?: string;
  /** Byte offset where parsing failed (parse findings), with its line and column (1-based). */
  offset?: number;
  line?: number;
  column?: number;
}

/** The verdict on one file. */
export interface FileReport {
  /** Absolute path. */
  file: string;
  /** `absent`: not created yet (and never committed); the rest speak for themselves. */
  status: 'ok' | 'absent' | 'warning' | 'problem';
  findings: Finding[];
  bytes?: number;
  sha256?: string;
  /**
   * The last commit prevention recorded for the file (the baseline): from the commit journal,
   * else the newest backup. Absent when prevention never committed the file.
   */
  lastCommit?: LastCommit;
}

function statusOf(findings: readonly Finding[]): FileReport['status'] {
  if (findings.some((f) => f.severity === 'error')) return 'problem';
  return findings.length > 0 ? 'warning' : 'ok';
}

/** The findings of a file's content, in the order they are reported: parse or structure, size, schema. */
function contentFindings(content: ContentInspection, bytes: Buffer, maxBytes: number): Finding[] {
  const findings: Finding[] = [];
  const { corrupt } = content;
  if (corrupt?.details.reason === 'structure' || corrupt?.details.reason === 'inexact') {
    for (const issue of corrupt.issues) findings.push({ kind: 'structure', severity: 'error', pointer: issue.path, message: issue.message });
  } else if (corrupt?.details.reason === 'empty') {
    findings.push({ kind: 'parse', severity: 'error', message: 'the file is empty', offset: 0, line: 1, column: 1 });
  } else if (corrupt) {
    const { offset, line, column, syntax } = corrupt.details;
    const reason = corrupt.details.reason === 'invalid-utf8' ? 'not valid UTF-8' : 'invalid JSON';
    if (typeof offset !== 'number' || typeof line !== 'number' || typeof column !== 'number') {
      findings.push({ kind: 'parse', severity: 'error', message: reason });
    } else {
      const why = typeof syntax === 'string' ? `: ${syntax}` : '';
      findings.push({ kind: 'parse', severity: 'error', message: `${reason} ${atPosition({ offset, line, column })}${why}`, offset, line, column });
    }
  }
  if (content.overSize) {
    findings.push({ kind: 'too-large', severity: 'error', message: `is ${bytes.length} bytes, over the limit of ${maxBytes} (maxBytes)` });
  }
  for (const issue of content.schemaIssues) {
    findings.push({ kind: 'schema', severity: 'error', pointer: issue.path, message: `${issue.path || '/'}: ${issue.message}` });
  }
  return findings;
}

/**
 * How the file's version stands against prevention's records, by the rule writers and the
 * monitor apply (see `engine.standing`). Records that cannot be read only cost the baseline:
 * the content is still checked, and the failure is reported.
 */
async function standingOf(engine: EngineApi, file: string, sha256: string): Promise<{ standing?: VersionStanding; lastCommit?: LastCommit; finding?: Finding }> {
  try {
    const standing = await engine.standing(file, sha256);
    const lastCommit = standing.kind === 'outside' ? standing.lastCommit : standing.kind === 'committed' ? await engine.lastCommit(file) : undefined;
    return { standing, ...(lastCommit ? { lastCommit } : {}) };
  } catch (err) {
    return { finding: { kind: 'unreadable', severity: 'warn', message: `its commit records cannot be read (${(err as Error).message}), so it is not compared with its last commit` } };
  }
}

/**
 * Checks one file the way the engine would load it, without taking its lock or changing it:
 * it must be a regular file, parse (the byte offset of a parse error is reported), stay within
 * the size and depth limits, pass the file's JSON Schema (each issue with its JSON pointer),
 * and be the last commit prevention recorded (in the journal, or its newest backup); a
 * difference means it was changed outside prevention, which is a warning when the content is
 * otherwise valid. Its bus archive, if it has one, must hold every committed line unchanged.
 */
export async function checkFile(engine: EngineApi, fs: FileSystem, file: string): Promise<FileReport> {
  const absolute = engine.resolvePath(file);
  const settings = await engine.settings(absolute);
  const inspection = await inspectFile(fs, absolute);
  const report = (findings: Finding[], extra: Partial<FileReport> = {}): FileReport => ({ file: absolute, status: statusOf(findings), findings, ...extra });

  switch (inspection.state) {
    case 'missing': {
      const lastCommit = await engine.lastCommit(absolute).catch(() => undefined);
      if (!lastCommit) return { ...report([]), status: 'absent' };
      return report([{ kind: 'deleted', severity: 'error', message: `is missing, but was last committed at ${lastCommit.at}; restore it with \`prevention restore\`` }], { lastCommit });
    }
    case 'not-regular':
      return report([{ kind: 'unsafe-path', severity: 'error', message: `is ${inspection.type === 'symbolic-link' ? 'a symbolic link' : 'not a regular file'}; prevention refuses to follow or replace it` }]);
    case 'unreadable':
      return report([{ kind: 'unreadable', severity: 'error', message: `cannot be read (${inspection.reason})` }]);
  }

  const { bytes, sha256 } = inspection;
  const findings = contentFindings(inspection.content(settings), bytes, settings.maxBytes);
  const { standing, lastCommit, finding } = await standingOf(engine, absolute, sha256);
  if (finding) findings.push(finding);
  if (standing?.kind === 'outside') {
    findings.push({
      kind: 'modified-outside',
      severity: findings.length > 0 ? 'error' : 'warn',
      message: `changed outside prevention since its last commit at ${standing.lastCommit.at} (sha256 ${sha256.slice(0, 12)}… instead of ${standing.lastCommit.sha256.slice(0, 12)}…)`,
    });
  }
  // The archive is judged against the live file's oldest event, so only beside a readable one.
  const archive = findings.every((f) => f.severity !== 'error') ? await inspectArchiveOf(engine, absolute) : undefined;
  if (archive?.state === 'damaged') findings.push({ kind: 'archive-damaged', severity: 'error', message: describeArchiveDamage(archive) });
  return report(findings, { bytes: bytes.length, sha256, ...(lastCommit ? { lastCommit } : {}) });
}
