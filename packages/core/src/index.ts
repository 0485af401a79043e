export { isTempNameFor, journalPathFor, archivePathFor, stateDirFor, quarantineDirFor, fileStamp, isInternalName } from './store/file-layout.js';
export type {
  EngineApi,
  MessageBusApi,
  ServiceToken,
  CommitResult,
  DocumentVersion,
  WriteCondition,
  DocumentStore,
  StoreMigration,
  StoreMigrationStatus,
  StoreMigrations,
  StoreWatch,
  StoreEventArchive,
  ArchivedEvent,
  StoreHealthResult,
  StoreCommitOptions,
  StoredCommit,
  StoredHead,
  StoredVersion,
  VersionToken,
  VersionContent,
  WritePhase,
  PreparedCommit,
  RestoreResult,
  Updater,
  Duration,
  PreventionConfig,
  FileConfig,
  FileOptions,
  PipelineEntry,
  OutsideWritePolicy,
  ResolvedConfig,
  FileSettings,
  FileGlob,
  SchemaCheck,
  Plugin,
  PluginApi,
  PluginDefinition,
  MiddlewarePlacement,
  Handler,
  Next,
  Middleware,
  WriteContext,
  CurrentVersion,
  DocumentCheck,
  StateKey,
  ContextState,
  EngineEventMap,
  EngineEventName,
  EngineEvents,
  FileSystem,
  FileStats,
  FileSystemSpace,
  OpenFlags,
  FileAttributes,
  FileLocker,
  LockHandle,
  LockOptions,
  LockState,
  Clock,
  CancelTimer,
  Logger,
  LoggerOptions,
  BackupStrategy,
  BackupRecord,
  BackupInput,
  PruneReport,
  Alert,
  AlertSeverity,
  AlertSink,
  SinkHealth,
  CommitRecord,
  LastCommit,
  VersionStanding,
  JsonValue,
  JsonObject,
  BusEvent,
  PublishInput,
  EventFormat,
  EventQuery,
  BusOptions,
  EventHandler,
  SubscribeOptions,
  ArchiveInspection,
  ArchiveRepair,
} from './contract.js';
export { createEngine, type EngineOptions } from './engine/create-engine.js';
export { defineConfig } from './config/define-config.js';
export { loadConfig, type LoadedConfig } from './config/load-config.js';
export { validateConfig } from './config/validate-config.js';
export { DEFAULTS } from './config/file-settings.js';
export { parseDuration } from './config/duration.js';
export { suggestName } from './config/suggest-name.js';
export { definePlugin, serviceToken } from './plugin/plugin.js';
export { compose } from './pipeline/compose.js';
export { stateKey } from './pipeline/middleware.js';
export { TOKENS } from './tokens.js';
export { PreventionError, ErrorCodes, isPreventionError, ioError, systemErrorCode, type ErrorCode, type ValidationIssue, type LimitSetting, type PreventionErrorOptions } from './errors.js';
export { NodeFileSystem } from './fs/node-file-system.js';
export type { PathAnchors } from './fs/anchored-file-system.js';
export { ProperFileLocker } from './lock/proper-file-locker.js';
export { FileStore, CLONE_MIN_PREFIX, type FileStoreParts } from './store/file-store.js';
export { systemClock } from './clock.js';
export { createLogger, REDACT_PATHS } from './logging/logger.js';
export { selectBackup, type SelectedBackup, type BackupAcceptor } from './backup/select-backup.js';
export { atomicWriteFile, sweepTempFiles, sweepTempFilesIn, type AtomicWriteOptions } from './commit/atomic-write.js';
export { sha256Hex } from './commit/sha256.js';
export { readLastCommit } from './commit/commit-journal.js';
export { serializeDocument } from './json/serialize-document.js';
export { contentBytes, contentViews } from './json/byte-rope.js';
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
} from './inspect/inspect-file.js';
export type { ContentInspection, ContentSettings } from './inspect/inspect-content.js';
export { inspectStored, type PresentDocument, type StoredInspection } from './inspect/inspect-stored.js';
export type { Finding, FindingKind, FindingSeverity } from './contract.js';
export { severityOf, corruptionKind } from './inspect/finding-kinds.js';
export { toJsonDocument } from './json/to-json-document.js';
export { sharedContextSchema } from './bus/shared-context-schema.js';
export { uuidv7 } from './bus/uuidv7.js';
export { JoinWait } from './bus/join-wait.js';
