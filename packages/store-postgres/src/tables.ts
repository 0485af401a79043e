import { createHash } from 'node:crypto';
import { ErrorCodes, PreventionError } from '@prevention/core';

/** The qualified names of the store's tables in one PostgreSQL schema, ready to put in SQL. */
export interface Tables {
  schema: string;
  schemaIdent: string;
  versions: string;
  /** `versions` as text, for `to_regclass`. */
  versionsName: string;
  documents: string;
  history: string;
  records: string;
  quarantine: string;
  /** Events bus retention moved out of the documents. */
  eventArchive: string;
  /**
   * First key of the store's advisory locks: derived from the schema, so two stores in two
   * schemas of one database do not exclude each other, and apart from other applications' keys.
   */
  lockNamespace: number;
  /** The `NOTIFY` channel of changes to the documents. */
  channel: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** A 31-bit key for a text: advisory locks take integers. A collision only makes two names share a lock. */
export function keyOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) & 0x7fffffff;
}

/**
 * The tables in `schema` (default `public`). Only plain lower-case identifiers are accepted:
 * the name is put into SQL, so anything else is refused rather than quoted.
 */
export function tablesOf(schema = 'public'): Tables {
  if (!IDENTIFIER.test(schema)) {
    throw new PreventionError(ErrorCodes.CONFIG_INVALID, `postgresStore schema must be a lower-case SQL identifier (letters, digits, _), got ${JSON.stringify(schema)}`);
  }
  const q = (table: string) => `"${schema}"."${table}"`;
  return {
    schema,
    schemaIdent: `"${schema}"`,
    versions: q('prevention_schema'),
    versionsName: `${schema}.prevention_schema`,
    documents: q('prevention_documents'),
    history: q('prevention_history'),
    records: q('prevention_commit_records'),
    quarantine: q('prevention_quarantine'),
    eventArchive: q('prevention_event_archive'),
    lockNamespace: keyOf(`prevention:${schema}`),
    channel: `prevention:${schema}`,
  };
}
