import type { InjectionToken } from 'tsyringe';
import type { Clock, ResolvedConfig, EngineEvents, FileSystem, FileLocker, Logger } from './contract.js';
import type { PathAnchors } from './fs/anchored-file-system.js';
import type { DocumentCache } from './engine/document-cache.js';
import type { KeyedMutex } from './lock/keyed-mutex.js';
import type { LockServices } from './lock/hold-file-lock.js';
import type { Contributions } from './engine/contributions.js';
import type { SchemaValidator } from './json/schema-validator.js';

const token = <T>(name: string) => Symbol.for(`prevention.${name}`) as InjectionToken<T>;

/**
 * Dependency-injection tokens. Every engine has its own child container; plugins get a child
 * of that. Register replacements through `createEngine({ register })` or a plugin. The symbols
 * are registered (`Symbol.for`), so a plugin that loaded its own copy of this package still
 * resolves the engine's services; the registrations themselves stay per engine.
 */
export const TOKENS = {
  /** The pino logger. */
  Logger: token<Logger>('Logger'),
  /** The validated configuration. */
  Config: token<ResolvedConfig>('Config'),
  /** The FileSystem port; all I/O goes through it. */
  FileSystem: token<FileSystem>('FileSystem'),
  /** The directories the FileSystem port holds to where they were at start-up. */
  PathAnchors: token<PathAnchors>('PathAnchors'),
  /** The cross-process lock. */
  FileLocker: token<FileLocker>('FileLocker'),
  /** Time source, replaceable in tests. */
  Clock: token<Clock>('Clock'),
  /** The engine's typed event bus. */
  Events: token<EngineEvents>('Events'),
  /** Compiled JSON Schemas. */
  SchemaValidator: token<SchemaValidator>('SchemaValidator'),
  /** Middleware, strategies, sinks and services contributed by built-ins and plugins. */
  Contributions: token<Contributions>('Contributions'),
  /** The in-process mutex per file, shared by everything in one engine that takes the file lock. */
  Mutex: token<KeyedMutex>('Mutex'),
  /** What holding a file's lock needs (mutex, locker, events, ...), shared by all lock holders. */
  LockServices: token<LockServices>('LockServices'),
  /** The engine's parsed-document cache. */
  DocumentCache: token<DocumentCache>('DocumentCache'),
} as const;
