import type { DocumentCheck, FileSettings, JsonValue, MutationResult, VersionContent, WriteCondition, WriteContext } from '../contract.js';
import { sha256Hex } from '../commit/sha256.js';
import { ErrorCodes, isPreventionError, PreventionError, type ValidationIssue } from '../errors.js';
import { checkParsedDocument, depthAt, toJsonDocument, type JsonDocumentResult } from '../json/to-json-document.js';
import { serializeDocument, serializeNext } from '../json/serialize-document.js';
import { draftUpdate } from './draft-update.js';
import type { ChangeOutcome } from './change.js';


/** The version a batch of changes applies to. */
export interface BaseVersion {
  /** Its document: the loaded one, or the file's initial document for a new file. */
  document: JsonValue;
  /** sha256 of its bytes; `undefined` for a file that does not exist yet. */
  sha256: string | undefined;
}

/** What applying a batch needs besides the changes. */
export interface ApplyEnvironment {
  file: string;
  settings: Pick<FileSettings, 'maxDepth' | 'maxBytes' | 'indent'>;
  /** Every candidate document must pass these. */
  checks: readonly DocumentCheck[];
  /** The commit the changes belong to: handed to checks and mutations. */
  commit: WriteContext;
  /** Builds the error of a change refused for `issues` (and reports it). */
  refuse(issues: ValidationIssue[]): PreventionError;
}

/** The next version a batch built. */
export interface AppliedChanges {
  document: JsonValue;
  content: VersionContent;
  sha256: string;
  /** How many leading bytes are those of the base version. */
  unchangedPrefix: number;
}

/**
 * Applies a batch's changes in order on `base`, each on the result of those before it. A change
 * that throws, fails a check or a precondition gets its own error in its outcome and is left
 * out; the others still apply. No I/O: what it touches is the outcomes it is given.
 *
 * @returns the next version, or `undefined` when no change applied (or the result is over
 *   `maxBytes`, which fails every change)
 */
export async function applyChanges(base: BaseVersion, outcomes: readonly ChangeOutcome[], env: ApplyEnvironment): Promise<AppliedChanges | undefined> {
  const { maxDepth, maxBytes, indent } = env.settings;
  let working = base.document;
  // The version a conditional change would replace: the base, until a change applies (then
  // hashed only if a later change asks).
  let workingSha = base.sha256;
  let anyOk = false;
  const runChecks = (document: JsonValue): ValidationIssue[] => env.checks.flatMap((check) => check(document, env.commit));
  for (const outcome of outcomes) {
    if (env.commit.signal.aborted) throw env.commit.signal.reason as Error;
    const { change } = outcome;
    if (change.kind === 'restore') continue;
    if (change.kind !== 'mutate' && change.condition) {
      if (anyOk && workingSha === undefined) workingSha = sha256Hex(serializeDocument(working, indent));
      outcome.error = preconditionFailure(env.file, change.condition, workingSha);
      if (outcome.error) continue;
    }
    let next: JsonValue;
    if (change.kind === 'mutate') {
      let added: MutationResult['added'];
      try {
        ({ next, added } = await change.mutation.apply(working, env.commit));
      } catch (cause) {
        outcome.error = isPreventionError(cause)
          ? cause
          : new PreventionError(ErrorCodes.UPDATER_FAILED, `a change to ${env.file} failed (${(cause as Error)?.message ?? String(cause)}); nothing was committed for it`, { file: env.file, cause });
        continue;
      }
      // Only what the mutation put in is walked: the parts shared with the base passed before.
      const issues = [
        ...added.flatMap(({ at, value }) => checkParsedDocument(value, { maxDepth, depth: depthAt(at) }).map((i) => ({ ...i, path: `${at}${i.path}` }))),
        ...(change.mutation.check?.(next) ?? []),
        ...(change.mutation.fullCheck ? runChecks(next) : []),
      ];
      if (issues.length > 0) {
        outcome.error = env.refuse(issues);
        continue;
      }
    } else {
      let copy: JsonDocumentResult;
      if (change.kind === 'update') {
        // A draft of the working version: one that throws halfway leaves nothing behind.
        try {
          copy = await draftUpdate(working, change.updater, { maxDepth });
        } catch (cause) {
          outcome.error = new PreventionError(
            ErrorCodes.UPDATER_FAILED,
            `the updater for ${env.file} threw (${cause instanceof Error ? cause.message : String(cause)}); nothing was committed for it`,
            { file: env.file, cause },
          );
          continue;
        }
      } else {
        // The copy is what gets cached and written, so a caller keeping references can not change it later.
        copy = toJsonDocument(change.document, { maxDepth });
      }
      const issues = copy.ok ? runChecks(copy.value) : copy.issues;
      if (!copy.ok || issues.length > 0) {
        outcome.error = env.refuse(issues);
        continue;
      }
      next = copy.value;
    }
    working = next;
    workingSha = undefined;
    anyOk = true;
  }
  if (!anyOk) return undefined;
  const { content, sha256, unchangedPrefix } = serializeNext(working, indent, base);
  if (content.length > maxBytes) {
    const error = env.refuse([{ path: '', message: `the document would be ${content.length} bytes, over the limit of ${maxBytes} (maxBytes)`, limit: { setting: 'maxBytes', value: maxBytes } }]);
    for (const outcome of outcomes) outcome.error ??= error;
    return undefined;
  }
  return { document: working, content, sha256, unchangedPrefix };
}

/**
 * Why a conditional change may not apply on the version `sha256` (`undefined`: no file), or
 * `undefined` when it may.
 */
function preconditionFailure(file: string, condition: WriteCondition, sha256: string | undefined): PreventionError | undefined {
  if (condition.ifNoneMatch === '*' && sha256 !== undefined) {
    return new PreventionError(ErrorCodes.PRECONDITION_FAILED, `${file} already exists (sha256 ${sha256.slice(0, 12)}…), and the write asked that it not; nothing was committed for it`, {
      file,
      details: { current: sha256 },
    });
  }
  if (condition.ifMatch !== undefined && condition.ifMatch !== sha256) {
    return new PreventionError(
      ErrorCodes.PRECONDITION_FAILED,
      `${file} is ${sha256 ? `at version ${sha256.slice(0, 12)}…` : 'missing'}, not the version ${condition.ifMatch.slice(0, 12)}… the write was made against; nothing was committed for it. Read it again and retry`,
      { file, details: { current: sha256, expected: condition.ifMatch } },
    );
  }
  return undefined;
}
