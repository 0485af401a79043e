import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { type EngineApi, type EngineEventName, type FileLocker, type FileSystem, type Logger } from '@prevention/core';
import { ArchiveGuard } from './archive-guard.js';
import { FileWatcher } from './file-watcher.js';
import { StoreWatcher } from './store-watcher.js';
import { AlertSinksCheck } from './health/alert-sinks-check.js';
import { BackupStoreCheck } from './health/backup-store-check.js';
import { DiskSpaceCheck } from './health/disk-space-check.js';
import type { HealthResult } from './health/health-check.js';
import { HealthMonitor } from './health/health-monitor.js';
import { StaleLockCheck } from './health/stale-lock-check.js';
import { StoreHealthCheck } from './health/store-health-check.js';
import { ValidationAgeCheck } from './health/validation-age-check.js';
import { MonitorHttpServer } from './http-server.js';
import { IntegrityChecker, type CheckReport, type EmitEvent } from './integrity-checker.js';
import { MonitorMetrics } from './monitor-metrics.js';
import type { ResolvedMonitorOptions } from './monitor-options.js';

/** Engine events that raise (or resolve) alerts, counted in `prevention_alerts_raised_total`. */
const ALERT_EVENTS: readonly EngineEventName[] = ['corruption:detected', 'restore:completed', 'lock:stale-recovered', 'backup:failed', 'commit:failed', 'outside-write:accepted', 'path:redirected', 'corruption:resolved'];

/** What does the monitoring, built on first use (see {@link MonitorService}). */
interface MonitorParts {
  metrics: MonitorMetrics;
  checker: IntegrityChecker;
  archives: ArchiveGuard;
  health: HealthMonitor;
  http: MonitorHttpServer;
}

/** What the monitor needs from its engine. */
export interface MonitorDependencies {
  engine: EngineApi;
  fs: FileSystem;
  locker: FileLocker;
  emit: EmitEvent;
  on: EngineApi['on'];
  logger: Logger;
}

/**
 * The integrity monitor of one engine (`engine.service(MONITOR_SERVICE)`): watches the
 * configured files (named, and matching the globs: the list is expanded again at every
 * validation pass) and re-validates them on a schedule, repairs them per their policy, runs the
 * health checks, and serves `/livez`, `/readyz` and `/metrics` when asked to.
 *
 * Every engine with the plugin has a service, also in commands that never monitor (`prevention
 * check`): its checker, health checks, metrics (prom-client) and HTTP server are built the first
 * time something uses them, so such a command does not pay for loading them.
 */
export class MonitorService {
  private built: MonitorParts | undefined;
  private readonly unsubscribe: Array<() => void> = [];
  private watcher: FileWatcher | StoreWatcher | undefined;
  private timers: NodeJS.Timeout[] = [];
  private lastPassAt: number | undefined;
  private running = false;
  /** The files of the last validation pass; metrics and health checks use the same list. */
  private listed: string[];
  /** Listing the globs failed, and was logged, since it last worked. */
  private listingFailed = false;

  constructor(
    private readonly deps: MonitorDependencies,
    private readonly options: ResolvedMonitorOptions,
  ) {
    this.listed = deps.engine.configuredFiles();
    for (const event of ALERT_EVENTS) this.unsubscribe.push(deps.on(event, () => this.parts.metrics.alerts.inc({ event })));
    this.unsubscribe.push(deps.on('health', ({ status }) => status !== 'ok' && this.parts.metrics.alerts.inc({ event: 'health' })));
    this.unsubscribe.push(deps.on('restore:completed', () => this.parts.metrics.restores.inc()));
  }

  /** The monitor's Prometheus registry (its own, never the global default). */
  get registry(): Registry {
    return this.parts.metrics.registry;
  }

  private get parts(): MonitorParts {
    if (this.built) return this.built;
    const { deps, options } = this;
    const metrics = new MonitorMetrics(deps.engine.store, () => this.listed);
    const checker = new IntegrityChecker(deps.engine, deps.fs, options, metrics, deps.emit, deps.logger);
    // The disk and its locks matter to files; a store that keeps its documents elsewhere checks itself.
    const where = this.onDisk
      ? [new DiskSpaceCheck(deps.fs, options.minFreeDisk), new StaleLockCheck(deps.engine, deps.locker, deps.emit)]
      : [new StoreHealthCheck(deps.engine.store)];
    const health = new HealthMonitor(
      [new BackupStoreCheck(deps.engine, deps.fs), ...where, new AlertSinksCheck(deps.engine), new ValidationAgeCheck(() => this.lastPassAt, options.maxValidationAgeMs)],
      deps.emit,
      metrics,
      deps.logger,
    );
    const http = new MonitorHttpServer({ registry: metrics.registry, corruptFiles: () => checker.corruptFiles(), validated: () => this.lastPassAt !== undefined });
    this.built = { metrics, checker, archives: new ArchiveGuard(deps.engine, deps.emit, deps.logger), health, http };
    return this.built;
  }

  /**
   * The files monitored, listed now: those named in the config and those its globs cover
   * (`engine.managedFiles()`). If the globs can not be listed (a directory that can not be
   * read), the error is logged once and the previous list is kept.
   */
  async files(): Promise<string[]> {
    try {
      this.listed = await this.deps.engine.managedFiles();
    } catch (err) {
      if (!this.listingFailed) this.deps.logger.error({ err }, 'could not list the files the config\'s globs match; monitoring the files listed before');
      this.listingFailed = true;
      return this.listed;
    }
    if (this.listingFailed) this.deps.logger.info('the files the config\'s globs match can be listed again');
    this.listingFailed = false;
    return this.listed;
  }

  /** Whether the documents are files on this disk (else they are in a store such as a database). */
  private get onDisk(): boolean {
    return this.deps.engine.store.kind === 'file';
  }

  /** Starts watching, runs a first validation pass and health check, then both on their schedules. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.options.watch) {
      const { engine, logger } = this.deps;
      const onError = (err: unknown): void => logger.warn({ err }, 'the watcher reported an error; scheduled validation continues');
      this.watcher = this.onDisk
        ? new FileWatcher(engine.configuredFiles(), engine.fileGlobs(), (file) => this.changed(file), onError)
        : new StoreWatcher(engine.store, engine.configuredFiles(), engine.fileGlobs(), (file) => this.changed(file), onError);
      await this.watcher.start();
    }
    await this.checkAll();
    await this.runHealthChecks();
    this.every(this.options.validateEveryMs, () => this.checkAll());
    this.every(this.options.healthEveryMs, () => this.runHealthChecks());
    this.deps.logger.info({ files: this.listed.length, validateEveryMs: this.options.validateEveryMs, healthEveryMs: this.options.healthEveryMs, watch: this.options.watch }, 'monitoring');
  }

  /** Lists the files again, then checks every one once (repairing per policy); one report per file. */
  async checkAll(): Promise<CheckReport[]> {
    if (this.watcher instanceof FileWatcher) await this.watcher.watchCreatedBases();
    const files = await this.files();
    const { checker, archives: guard } = this.parts;
    checker.retain(files);
    const reports = await Promise.all(files.map((file) => checker.check(file)));
    // After the files: an archive is judged against its live file's committed version.
    const archives = this.onDisk ? await Promise.all(files.map((file) => guard.check(file))) : [];
    this.lastPassAt = Date.now();
    return [...reports, ...archives.filter((report) => report !== undefined)];
  }

  /** Checks one file now. */
  check(file: string): Promise<CheckReport> {
    return this.parts.checker.check(this.deps.engine.resolvePath(file));
  }

  /** Runs every health check once and publishes the results as `health` events. */
  runHealthChecks(): Promise<HealthResult[]> {
    return this.parts.health.run(this.listed);
  }

  /** Files found corrupt and not repaired yet. */
  corruptFiles(): string[] {
    return this.built?.checker.corruptFiles() ?? [];
  }

  /** The metrics in Prometheus text format. */
  metricsText(): Promise<string> {
    return this.registry.metrics();
  }

  /** Serves `/livez`, `/readyz` and `/metrics` (port 0 picks a free port). */
  listen(port: number, host = this.options.host): Promise<AddressInfo> {
    return this.parts.http.listen(port, host).then((address) => {
      this.deps.logger.info({ host: address.address, port: address.port }, 'serving /livez, /readyz and /metrics');
      return address;
    });
  }

  /** The HTTP server's address, while it listens. */
  address(): AddressInfo | undefined {
    return this.built?.http.address();
  }

  /** Stops the schedules, the watcher and the HTTP server, and waits for running checks. Safe to call twice. */
  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    for (const off of this.unsubscribe.splice(0)) off();
    await Promise.all([this.watcher?.close(), this.built?.http.close()]);
    this.watcher = undefined;
    await this.built?.checker.stop();
  }

  /**
   * A watched path changed. A path not listed yet is a file created since the last pass: it is
   * checked from when it is a regular file, as the next listing would have it. A store's watcher
   * only reports monitored documents, and a document is never anything but one.
   */
  private changed(file: string): void {
    if (this.listed.includes(file) || !this.onDisk) {
      void this.parts.checker.check(file);
      return;
    }
    this.deps.fs.lstat(file).then(
      (stats) => {
        if (stats.isFile()) void this.parts.checker.check(file);
      },
      // Gone again already: there is nothing to check, and nothing was ever monitored there.
      () => undefined,
    );
  }

  /** Runs `task` every `ms` after the previous run ended, so runs never pile up. */
  private every(ms: number, task: () => Promise<unknown>): void {
    const schedule = (): void => {
      const timer = setTimeout(() => {
        this.timers = this.timers.filter((t) => t !== timer);
        task()
          .catch((err: unknown) => this.deps.logger.error({ err }, 'a scheduled monitor task failed'))
          .finally(() => this.running && schedule());
      }, ms);
      // The schedule alone must not keep a process alive; the daemon's HTTP server or the caller does.
      timer.unref();
      this.timers.push(timer);
    };
    schedule();
  }
}
