export { createEngine, type EngineOptions } from './engine/create-engine.js';
export { Engine } from './engine/engine.js';
export type { CommitResult, RestoreResult, Updater } from './engine/change.js';
export { defineConfig, type PreventionConfig, type FileConfig, type FileOptions, type PipelineEntry, type OutsideWritePolicy } from './config/define-config.js';
export { loadConfig, type LoadedConfig } from './config/load-config.js';
export { validateConfig } from './config/validate-config.js';
export type { ResolvedConfig } from './config/resolved-config.js';
export { DEFAULTS, type FileSettings, type FileGlob } from './config/file-settings.js';
export { parseDuration, type Duration } from './config/duration.js';
export { suggestName } from './config/suggest-name.js';
export { definePlugin, type Plugin, type PluginApi, type PluginDefinition, type MiddlewarePlacement } from './plugin/plugin.js';
export { compose, type Handler, type Next } from './pipeline/compose.js';
export { stateKey, type Middleware, type WriteContext, type CurrentVersion, type DocumentCheck, type StateKey, type ContextState } from './pipeline/middleware.js';
export { TOKENS } from './tokens.js';
export { PreventionError, ErrorCodes, isPreventionError, ioError, systemErrorCode, type ErrorCode, type ValidationIssue, type LimitSetting, type PreventionErrorOptions } from './errors.js';
export type { EngineEventMap, EngineEventName, EngineEvents } from './events/event-bus.js';
export type { FileSystem, FileStats, FileSystemSpace, OpenFlags } from './fs/file-system.js';
export { NodeFileSystem } from './fs/node-file-system.js';
export type { PathAnchors } from './fs/anchored-file-system.js';
export type { FileLocker, LockHandle, LockOptions, LockState } from './lock/file-locker.js';
export { ProperFileLocker } from './lock/proper-file-locker.js';
export type { Clock, CancelTimer } from './clock.js';
export { systemClock } from './clock.js';
export { createLogger, REDACT_PATHS, type Logger, type LoggerOptions } from './logging/logger.js';
export type { BackupStrategy, BackupRecord, BackupInput, PruneReport } from './backup/backup-strategy.js';
export type { FileAttributes } from './fs/file-attributes.js';
export { selectBackup, type SelectedBackup, type BackupAcceptor } from './backup/select-backup.js';
export type { Alert, AlertSeverity, AlertSink, SinkHealth } from './alerts/alert-sink.js';
export { atomicWriteFile, sweepTempFiles, sweepTempFilesIn, isTempNameFor, type AtomicWriteOptions } from './commit/atomic-write.js';
export { sha256Hex } from './commit/sha256.js';
export { readLastCommit, journalPathFor, type CommitRecord } from './commit/commit-journal.js';
export type { LastCommit, VersionStanding } from './commit/commit-witness.js';
export { serializeDocument } from './engine/commit-context.js';
export { parseDocument, locateJsonError, type JsonSyntaxError } from './json/parse-document.js';
export {
  inspectFile,
  type FileInspection,
  type InspectedFile,
  type InspectFileOptions,
  type InspectionBaseline,
  type MissingFile,
  type NonRegularFile,
  type NonRegularType,
  type UnreadableFile,
  type PresentFile,
  type UnchangedFile,
  type ContentInspection,
  type ContentSettings,
} from './inspect/inspect-file.js';
export type { Finding, FindingKind, FindingSeverity } from './inspect/finding.js';
export { severityOf, corruptionKind } from './inspect/finding-kinds.js';
export { toJsonDocument } from './json/to-json-document.js';
export type { JsonValue, JsonObject } from './json/json-value.js';
export type { BusEvent, PublishInput, EventFormat, EventQuery } from './bus/bus-event.js';
export { MessageBus, type BusOptions } from './bus/message-bus.js';
export type { EventHandler, SubscribeOptions } from './bus/follower.js';
export { sharedContextSchema } from './bus/shared-context-schema.js';
export { archivePathFor } from './bus/event-archive.js';
export type { ArchiveInspection, ArchiveRepair } from './bus/archive-integrity.js';
export { uuidv7 } from './bus/uuidv7.js';
export { stateDirFor, quarantineDirFor, fileStamp } from './engine/paths.js';
export { isInternalName } from './engine/internal-names.js';
