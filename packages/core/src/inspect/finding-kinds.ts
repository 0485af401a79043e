import type { PreventionError } from '../errors.js';
import type { FindingKind, FindingSeverity } from '../contract.js';

/** A record rather than a set, so a new kind does not compile until its severity is decided. */
const SEVERITY: Readonly<Record<FindingKind, FindingSeverity>> = {
  deleted: 'error',
  'unsafe-path': 'error',
  unreadable: 'error',
  'invalid-json': 'error',
  structure: 'error',
  'too-large': 'error',
  'schema-mismatch': 'error',
  'archive-damaged': 'error',
  modified: 'warn',
  'mode-changed': 'warn',
  'records-unreadable': 'warn',
};

/** How bad a finding of `kind` is: `error` when the content cannot be used as it is. */
export function severityOf(kind: FindingKind): FindingSeverity {
  return SEVERITY[kind];
}

/**
 * The kind of a file whose bytes are not a usable document (`ContentInspection.corrupt`):
 * `structure` for well-formed JSON over the limits or with values that would change when read
 * (`details.reason` `structure` or `inexact`), `invalid-json` for the rest.
 */
export function corruptionKind(corrupt: PreventionError): 'invalid-json' | 'structure' {
  const { reason } = corrupt.details;
  return reason === 'structure' || reason === 'inexact' ? 'structure' : 'invalid-json';
}
