/** What the monitor can find wrong with a file. */
export type ProblemKind = 'modified' | 'deleted' | 'replaced' | 'mode-changed' | 'invalid-json' | 'schema-invalid' | 'archive-damaged';

/** Kinds whose content can not be used as it is: they are restored under every policy but `alert-only`. */
export const INVALID_KINDS: ReadonlySet<ProblemKind> = new Set(['deleted', 'replaced', 'invalid-json', 'schema-invalid']);

/** The outcome of inspecting one file. */
export type Finding =
  | {
      kind: 'ok';
      /** sha256 of the content, when the file exists. */
      sha256?: string;
      /** Why the content is trusted (for logs). */
      basis: 'journal' | 'accepted' | 'backup' | 'absent' | 'first-seen' | 'unchanged';
    }
  | {
      kind: ProblemKind;
      /** sha256 of the content found, when there is content. */
      sha256?: string;
      message: string;
      details: Record<string, unknown>;
    };

/** A finding that is a problem. */
export type Problem = Exclude<Finding, { kind: 'ok' }>;

/** True when the finding is a problem. */
export function isProblem(finding: Finding): finding is Problem {
  return finding.kind !== 'ok';
}
