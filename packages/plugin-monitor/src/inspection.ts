import type { Finding } from '@prevention/core';

/** A file found intact. */
export interface Intact {
  kind: 'ok';
  /** sha256 of the content, when the file exists. */
  sha256?: string;
  /** Why the content is trusted (for logs). */
  basis: 'journal' | 'accepted' | 'backup' | 'appended' | 'absent' | 'first-seen' | 'unchanged';
}

/** The outcome of inspecting one file: intact, or the problem found (in core's vocabulary). */
export type Inspection = Intact | Finding;

/** True when the inspection found a problem. */
export function isProblem(inspection: Inspection): inspection is Finding {
  return inspection.kind !== 'ok';
}
