import type { DocumentStore } from '@prevention/core';
import type { HealthCheck, HealthResult } from './health-check.js';

/**
 * `store`: what a store that keeps the documents off this disk depends on, as the store itself
 * judges it (`DocumentStore.health`: for PostgreSQL the connection, that the server is the
 * primary, the migration version and the standbys' lag). One result for all files: they share
 * the store. A store that cannot tell is reported as such, never as healthy.
 */
export class StoreHealthCheck implements HealthCheck {
  readonly name = 'store';

  constructor(private readonly store: DocumentStore) {}

  async run(): Promise<HealthResult[]> {
    if (!this.store.health) return [{ check: this.name, status: 'warn', message: `the ${this.store.kind} store has no health check` }];
    const { status, message, details } = await this.store.health();
    return [{ check: this.name, status, message, details: { store: this.store.kind, ...details } }];
  }
}
