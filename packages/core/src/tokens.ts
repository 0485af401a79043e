import type { InjectionToken } from 'tsyringe';
import type { AlertSink } from './alerts/alert-sink.js';
import type { BackupStrategy } from './backup/backup-strategy.js';
import type { Clock } from './clock.js';
import type { ResolvedConfig } from './config/resolved-config.js';
import type { EngineEvents } from './events/event-bus.js';
import type { FileSystem } from './fs/file-system.js';
import type { DocumentCache } from './engine/document-cache.js';
import type { KeyedMutex } from './lock/keyed-mutex.js';
import type { LockServices } from './lock/hold-file-lock.js';
import type { FileLocker } from './lock/file-locker.js';
import type { Logger } from './logging/logger.js';
import type { Contributions } from './engine/contributions.js';
import type { SchemaValidator } from './json/schema-validator.js';

/**
 * Dependency-injection tokens. Every engine has its own child container; plugins get a child
 * of that. Register replacements through `createEngine({ register })` or a plugin. The symbols
 * are registered (`Symbol.for`), so a plugin that loaded its own copy of this package still
 * resolves the engine's services; the registrations themselves stay per engine.
 */
export const TOKENS = {
  /** The pino logger. */
  Logger: Symbol.for('prevention.Logger') as InjectionToken<Logger>,
  /** The validated configuration. */
  Config: Symbol.for('prevention.Config') as InjectionToken<ResolvedConfig>,
  /** The FileSystem port; all I/O goes through it. */
  FileSystem: Symbol.for('prevention.FileSystem') as InjectionToken<FileSystem>,
  /** The cross-process lock. */
  FileLocker: Symbol.for('prevention.FileLocker') as InjectionToken<FileLocker>,
  /** Time source, replaceable in tests. */
  Clock: Symbol.for('prevention.Clock') as InjectionToken<Clock>,
  /** The engine's typed event bus. */
  Events: Symbol.for('prevention.Events') as InjectionToken<EngineEvents>,
  /** Compiled JSON Schemas. */
  SchemaValidator: Symbol.for('prevention.SchemaValidator') as InjectionToken<SchemaValidator>,
  /**
   * Backup strategies: every one added with `api.addBackupStrategy` is also registered here,
   * so `container.resolveAll(TOKENS.BackupStrategy)` lists them in order.
   */
  BackupStrategy: Symbol.for('prevention.BackupStrategy') as InjectionToken<BackupStrategy>,
  /** Alert sinks, likewise (`api.addAlertSink`). */
  AlertSink: Symbol.for('prevention.AlertSink') as InjectionToken<AlertSink>,
  /** Middleware, strategies, sinks and services contributed by built-ins and plugins. */
  Contributions: Symbol.for('prevention.Contributions') as InjectionToken<Contributions>,
  /** The in-process mutex per file, shared by everything in one engine that takes the file lock. */
  Mutex: Symbol.for('prevention.Mutex') as InjectionToken<KeyedMutex>,
  /** What holding a file's lock needs (mutex, locker, events, ...), shared by all lock holders. */
  LockServices: Symbol.for('prevention.LockServices') as InjectionToken<LockServices>,
  /** The engine's parsed-document cache. */
  DocumentCache: Symbol.for('prevention.DocumentCache') as InjectionToken<DocumentCache>,
} as const;
