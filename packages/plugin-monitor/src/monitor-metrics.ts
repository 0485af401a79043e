import { readLastCommit, type FileSystem } from '@prevention/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The monitor's Prometheus metrics, in a registry of its own (never prom-client's global
 * default), so two engines in one process never mix their numbers.
 */
export class MonitorMetrics {
  readonly registry = new Registry();
  /** File inspections, by outcome. */
  readonly validations = new Counter({ name: 'prevention_monitor_validations_total', help: 'File integrity checks run by the monitor', labelNames: ['result'] as const, registers: [this.registry] });
  /** Problems seen without the lock that a check under the lock refuted (a commit between its rename and its journal line). */
  readonly refuted = new Counter({ name: 'prevention_monitor_refuted_sightings_total', help: 'Apparent problems refuted when re-checked under the file lock (commits in flight)', registers: [this.registry] });
  /** Problems found, by kind. */
  readonly corruptions = new Counter({ name: 'prevention_monitor_corruptions_detected_total', help: 'Outside changes and corruptions detected, by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  /** Repairs attempted by the monitor, by action and result. */
  readonly repairs = new Counter({ name: 'prevention_monitor_repairs_total', help: 'Repairs attempted by the monitor, by action and result', labelNames: ['action', 'result'] as const, registers: [this.registry] });
  /** Restores completed in this engine (the monitor's and the engine's own on load). */
  readonly restores = new Counter({ name: 'prevention_restores_total', help: 'Files restored from a backup', registers: [this.registry] });
  /** From the first sighting of a problem to the file being intact again. */
  readonly restoreDuration = new Histogram({
    name: 'prevention_monitor_restore_duration_seconds',
    help: 'Time from detecting a problem to the repaired file being committed',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  /** Engine events that become alerts, by event. */
  readonly alerts = new Counter({ name: 'prevention_alerts_raised_total', help: 'Alert-raising events seen (corruption, restores, failing health checks, ...), by event', labelNames: ['event'] as const, registers: [this.registry] });
  /** 1 while a file is known corrupt and unrepaired. */
  readonly corrupt = new Gauge({ name: 'prevention_monitor_file_corrupt', help: '1 while the file is corrupt and unrepaired', labelNames: ['file'] as const, registers: [this.registry] });
  /** Health check results: 0 ok, 1 warn, 2 fail. */
  readonly health = new Gauge({ name: 'prevention_monitor_health_status', help: 'Last health check result: 0 ok, 1 warn, 2 fail', labelNames: ['check', 'file'] as const, registers: [this.registry] });

  constructor(fs: FileSystem, files: () => readonly string[]) {
    new Gauge({
      name: 'prevention_last_commit_age_seconds',
      help: 'Seconds since the last commit recorded in the journal',
      labelNames: ['file'] as const,
      registers: [this.registry],
      // Read at scrape time from the journal, so commits from every process count.
      async collect() {
        this.reset();
        for (const file of files()) {
          const last = await readLastCommit(fs, file).catch(() => undefined);
          if (last) this.set({ file }, Math.max(0, (Date.now() - Date.parse(last.at)) / 1000));
        }
      },
    });
  }
}
