import type { InjectionToken } from 'tsyringe';
import type { Clock, ResolvedConfig, EngineEvents, FileSystem, FileLocker, Logger } from './contract.js';
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
  /** The cross-process lock. */
  FileLocker: token<FileLocker>('FileLocker'),
  /** Time source, replaceable in tests. */
  Clock: token<Clock>('Clock'),
  /** The engine's typed event bus. */
  Events: token<EngineEvents>('Events'),
  /** Compiled JSON Schemas. */
  SchemaValidator: token<SchemaValidator>('SchemaValidator'),
} as const;
