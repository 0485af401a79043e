import {
  corruptionKind,
  severityOf,
  type ContentInspection,
  type EngineApi,
  type FileSystem,
  type Finding,
  type FindingKind,
  type FindingSeverity,
  type JsonValue,
  type LastCommit,
  type VersionStanding,
} from '@prevention/core';
import { atPosition } from '../output/format.js';
import { describeArchiveDamage, inspectArchiveOf } from './archive-check.js';
import { inspectDocument } from './document-inspection.js';

/** A finding as `check` reports it: with its severity, so a script need not know the kinds. */
export type CheckFinding = Finding & { severity: FindingSeverity };

/** A finding of `kind`, with the severity core gives that kind. */
function found(kind: FindingKind, message: string, extra: Omit<Finding, 'kind' | 'message'> = {}): CheckFinding {
  return { kind, severity: severityOf(kind), message, ...extra };
}

/** The verdict on one file. */
export interface FileReport {
  /** Absolute path. */
  file: string;
  /** `absent`: not created yet (and never committed); the rest speak for themselves. */
  status: 'ok' | 'absent' | 'warning' | 'problem';
  findings: CheckFinding[];
  bytes?: number;
  sha256?: string;
  /**
   * The last commit prevention recorded for the file (the baseline): from the commit journal,
   * else the newest backup. Absent when prevention never committed the file.
   */
  lastCommit?: LastCommit;
}

function statusOf(findings: readonly CheckFinding[]): FileReport['status'] {
  if (findings.some((f) => f.severity === 'error')) return 'problem';
  return findings.length > 0 ? 'warning' : 'ok';
}

/** The findings of a file's content, in the order they are reported: parse or structure, size, schema. */
function contentFindings(content: ContentInspection, bytes: Buffer, maxBytes: number): CheckFinding[] {
  const findings: CheckFinding[] = [];
  const { corrupt } = content;
  if (corrupt && corruptionKind(corrupt) === 'structure') {
    for (const issue of corrupt.issues) findings.push(found('structure', issue.message, { pointer: issue.path }));
  } else if (corrupt?.details.reason === 'empty') {
    findings.push(found('invalid-json', 'the file is empty', { offset: 0, line: 1, column: 1 }));
  } else if (corrupt) {
    const { offset, line, column, syntax } = corrupt.details;
    const reason = corrupt.details.reason === 'invalid-utf8' ? 'not valid UTF-8' : 'invalid JSON';
    if (typeof offset !== 'number' || typeof line !== 'number' || typeof column !== 'number') {
      findings.push(found('invalid-json', reason));
    } else {
      const why = typeof syntax === 'string' ? `: ${syntax}` : '';
      findings.push(found('invalid-json', `${reason} ${atPosition({ offset, line, column })}${why}`, { offset, line, column }));
    }
  }
  if (content.overSize) {
    findings.push(found('too-large', `is ${bytes.length} bytes, over the limit of ${maxBytes} (maxBytes)`));
  }
  for (const issue of content.schemaIssues) {
    findings.push(found('schema-mismatch', `${issue.path || '/'}: ${issue.message}`, { pointer: issue.path }));
  }
  return findings;
}

/**
 * How the file's version stands against prevention's records, by the rule writers and the
 * monitor apply (see `engine.standing`). Records that cannot be read only cost the baseline:
 * the content is still checked, and the failure is reported.
 */
async function standingOf(engine: EngineApi, file: string, sha256: string, document: JsonValue | undefined): Promise<{ standing?: VersionStanding; lastCommit?: LastCommit; finding?: CheckFinding }> {
  try {
    const standing = await engine.standing(file, sha256, document);
    const lastCommit = standing.kind === 'outside' || standing.kind === 'appended' ? standing.lastCommit : standing.kind === 'committed' ? await engine.lastCommit(file) : undefined;
    return { standing, ...(lastCommit ? { lastCommit } : {}) };
  } catch (err) {
    return { finding: found('records-unreadable', `its commit records cannot be read (${(err as Error).message}), so it is not compared with its last commit`) };
  }
}

/**
 * Checks one file the way the engine would load it, without taking its lock or changing it:
 * it must be a regular file (or, in the config's store, a stored document), parse (the byte offset of a parse error is reported), stay within
 * the size and depth limits, pass the file's JSON Schema (each issue with its JSON pointer),
 * and be the last commit prevention recorded (in the journal, or its newest backup); a
 * difference means it was changed outside prevention, a warning of its own (the content's
 * findings say whether it is also unusable). Its bus archive, if it has one, must hold every
 * committed line unchanged.
 */
export async function checkFile(engine: EngineApi, fs: FileSystem, file: string): Promise<FileReport> {
  const absolute = engine.resolvePath(file);
  const settings = await engine.settings(absolute);
  const inspection = await inspectDocument(engine, fs, absolute);
  const report = (findings: CheckFinding[], extra: Partial<FileReport> = {}): FileReport => ({ file: absolute, status: statusOf(findings), findings, ...extra });

  switch (inspection.state) {
    case 'missing': {
      const lastCommit = await engine.lastCommit(absolute).catch(() => undefined);
      if (!lastCommit) return { ...report([]), status: 'absent' };
      return report([found('deleted', `is missing, but was last committed at ${lastCommit.at}; restore it with \`prevention restore\``)], { lastCommit });
    }
    case 'not-regular':
      return report([found('unsafe-path', `is ${inspection.type === 'symbolic-link' ? 'a symbolic link' : 'not a regular file'}; prevention refuses to follow or replace it`)]);
    case 'unreadable':
      return report([found('unreadable', `cannot be read (${inspection.reason})`)]);
  }

  const { bytes, sha256 } = inspection;
  const content = inspection.content(settings);
  const findings = contentFindings(content, bytes, settings.maxBytes);
  // Under acceptOutsideAppends an older bus's append is expected traffic, adopted by the next writer.
  const { standing, lastCommit, finding } = await standingOf(engine, absolute, sha256, settings.acceptOutsideAppends ? content.document : undefined);
  if (finding) findings.push(finding);
  if (standing?.kind === 'outside') {
    const message = `changed outside prevention since its last commit at ${standing.lastCommit.at} (sha256 ${sha256.slice(0, 12)}… instead of ${standing.lastCommit.sha256.slice(0, 12)}…)`;
    findings.push(found('modified', message));
  }
  // The archive is judged against the live file's oldest event, so only beside a readable one.
  const archive = findings.every((f) => f.severity !== 'error') ? await inspectArchiveOf(engine, absolute) : undefined;
  if (archive?.state === 'damaged') findings.push(found('archive-damaged', describeArchiveDamage(archive)));
  return report(findings, { bytes: bytes.length, sha256, ...(lastCommit ? { lastCommit } : {}) });
}
