import { createRequire } from 'node:module';
import type { DocumentStore } from '@prevention/core';
import type * as PromClient from 'prom-client';

// prom-client (CommonJS, and @opentelemetry/api under it) is required when the metrics are
// created, which the monitor does on first use, not when the plugin is loaded.
const require = createRequire(import.meta.url);

/**
 * The monitor's Prometheus metrics, in a registry of its own (never prom-client's global
 * default), so two engines in one process never mix their numbers.
 */
export class MonitorMetrics {
  readonly registry: PromClient.Registry;
  /** File inspections, by outcome. */
  readonly validations: PromClient.Counter<'result'>;
  /** Problems seen without the lock that a check under the lock refuted (a commit between its rename and its journal line). */
  readonly refuted: PromClient.Counter;
  /** Problems found, by kind. */
  readonly corruptions: PromClient.Counter<'kind'>;
  /** Repairs attempted by the monitor, by action and result. */
  readonly repairs: PromClient.Counter<'action' | 'result'>;
  /** Restores completed in this engine (the monitor's and the engine's own on load). */
  readonly restores: PromClient.Counter;
  /** From the first sighting of a problem to the file being intact again. */
  readonly restoreDuration: PromClient.Histogram;
  /** Engine events that become alerts, by event. */
  readonly alerts: PromClient.Counter<'event'>;
  /** 1 while a file is known corrupt and unrepaired. */
  readonly corrupt: PromClient.Gauge<'file'>;
  /** Health check results: 0 ok, 1 warn, 2 fail. */
  readonly health: PromClient.Gauge<'check' | 'file'>;

  constructor(store: Pick<DocumentStore, 'lastRecord'>, files: () => readonly string[]) {
    const { Counter, Gauge, Histogram, Registry } = require('prom-client') as typeof PromClient;
    this.registry = new Registry();
    this.validations = new Counter({ name: 'prevention_monitor_validations_total', help: 'File integrity checks run by the monitor', labelNames: ['result'] as const, registers: [this.registry] });
    this.refuted = new Counter({ name: 'prevention_monitor_refuted_sightings_total', help: 'Apparent problems refuted when re-checked under the file lock (commits in flight)', registers: [this.registry] });
    this.corruptions = new Counter({ name: 'prevention_monitor_corruptions_detected_total', help: 'Outside changes and corruptions detected, by kind', labelNames: ['kind'] as const, registers: [this.registry] });
    this.repairs = new Counter({ name: 'prevention_monitor_repairs_total', help: 'Repairs attempted by the monitor, by action and result', labelNames: ['action', 'result'] as const, registers: [this.registry] });
    this.restores = new Counter({ name: 'prevention_restores_total', help: 'Files restored from a backup', registers: [this.registry] });
    this.restoreDuration = new Histogram({
      name: 'prevention_monitor_restore_duration_seconds',
      help: 'Time from detecting a problem to the repaired file being committed',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.alerts = new Counter({ name: 'prevention_alerts_raised_total', help: 'Alert-raising events seen (corruption, restores, failing health checks, ...), by event', labelNames: ['event'] as const, registers: [this.registry] });
    this.corrupt = new Gauge({ name: 'prevention_monitor_file_corrupt', help: '1 while the file is corrupt and unrepaired', labelNames: ['file'] as const, registers: [this.registry] });
    this.health = new Gauge({ name: 'prevention_monitor_health_status', help: 'Last health check result: 0 ok, 1 warn, 2 fail', labelNames: ['check', 'file'] as const, registers: [this.registry] });
    new Gauge({
      name: 'prevention_last_commit_age_seconds',
      help: 'Seconds since the last commit recorded in the commit journal (or the store\'s commit record)',
      labelNames: ['file'] as const,
      registers: [this.registry],
      // Read at scrape time from the commit record, so commits from every process count.
      async collect() {
        this.reset();
        for (const file of files()) {
          const last = await store.lastRecord(file).catch(() => undefined);
          if (last) this.set({ file }, Math.max(0, (Date.now() - Date.parse(last.at)) / 1000));
        }
      },
    });
  }
}
