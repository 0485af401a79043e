import path from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import type { EngineApi, Clock, DocumentStore, PreventionConfig, ResolvedConfig, FileSystem, FileLocker, Logger, LoggerOptions, Middleware } from '../contract.js';
import { rootContainer } from '../tsyringe.js';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config/load-config.js';
import { validateConfig } from '../config/validate-config.js';
import { EventBus } from '../events/event-bus.js';
import { AnchoredFileSystem } from '../fs/anchored-file-system.js';
import { NodeFileSystem } from '../fs/node-file-system.js';
import { SchemaValidator } from '../json/schema-validator.js';
import type { LockServices } from '../lock/hold-file-lock.js';
import { KeyedMutex } from '../lock/keyed-mutex.js';
import { ProperFileLocker } from '../lock/proper-file-locker.js';
import { createLogger } from '../logging/logger.js';
import { AtomicCommitMiddleware } from '../middleware/atomic-commit.js';
import { BackupMiddleware } from '../middleware/backup.js';
import { LockMiddleware } from '../middleware/lock.js';
import { ValidateMiddleware } from '../middleware/validate.js';
import { VerifyMiddleware } from '../middleware/verify.js';
import { registerPlugins } from '../plugin/plugin-host.js';
import { TOKENS } from '../tokens.js';
import { Contributions } from './contributions.js';
import { DocumentCache } from './document-cache.js';
import { Engine } from './engine.js';
import { MessageBus } from '../bus/message-bus.js';
import { StoreChanges } from '../bus/store-changes.js';
import { buildPipeline } from './pipeline-builder.js';
import { FileSettingsResolver } from '../config/file-settings.js';
import { FileStore } from '../store/file-store.js';

/** Options of {@link createEngine}. Any config key given here overrides the loaded config. */
export interface EngineOptions extends Omit<PreventionConfig, 'logger'> {
  /** Directory relative paths resolve against, and where the config search starts; default `process.cwd()`. */
  cwd?: string;
  /** A config object to use instead of searching, or `false` to use no config file at all. */
  config?: PreventionConfig | false;
  /** An explicit config file to load (relative to `cwd`). */
  configFile?: string;
  /** A logger to use, or options for the default one. */
  logger?: Logger | LoggerOptions;
  /** Replaces the FileSystem port (fault injection). */
  fileSystem?: FileSystem;
  /**
   * Where documents live: the storage port. Default: the config's `store`, else the file store
   * (through `fileSystem` and `locker`). See {@link DocumentStore}. A store passed here stays
   * yours: `engine.close()` does not close it (it closes only the one its config named).
   */
  store?: DocumentStore;
  /** Replaces the lock. */
  locker?: FileLocker;
  /** Replaces the clock. */
  clock?: Clock;
  /**
   * False for a short-lived tool (a CLI command, a script): plugins then start no background work
   * such as watchers, schedules or servers (`PluginApi.background`). Default true.
   */
  background?: boolean;
  /** Last word on the engine's container, before built-ins and plugins are resolved. */
  register?: (container: DependencyContainer) => void;
}

const ENGINE_ONLY_KEYS = ['cwd', 'config', 'configFile', 'logger', 'fileSystem', 'store', 'locker', 'clock', 'background', 'register'] as const;

function isLogger(value: unknown): value is Logger {
  return typeof value === 'object' && value !== null && typeof (value as Logger).child === 'function' && typeof (value as Logger).info === 'function';
}

async function resolveConfig(options: EngineOptions, cwd: string): Promise<ResolvedConfig> {
  let base: PreventionConfig = {};
  let configFile: string | undefined;
  if (options.config === undefined) {
    const loaded = await loadConfig(cwd, options.configFile);
    base = loaded.config;
    configFile = loaded.file;
  } else if (options.config !== false) {
    base = validateConfig(options.config, 'createEngine({ config })');
  }
  const overrides: Record<string, unknown> = { ...options };
  for (const key of ENGINE_ONLY_KEYS) delete overrides[key];
  const over = validateConfig(overrides, 'createEngine() options');
  // `store` was removed from the overrides above: one given in code is the caller's, not the config's.
  const { files = [], plugins = [], logger = {}, store, ...defaults } = { ...base, ...over, files: [...(base.files ?? []), ...(over.files ?? [])], plugins: [...(base.plugins ?? []), ...(over.plugins ?? [])] };
  return {
    cwd,
    baseDir: configFile ? path.dirname(configFile) : cwd,
    configFile,
    defaults,
    files,
    plugins,
    logger: isLogger(options.logger) ? logger : { ...logger, ...options.logger },
    ...(store ? { store } : {}),
  };
}

/**
 * Creates an engine: loads and validates the config (`prevention.config.ts` and friends, unless
 * `config` is given), builds a child DI container with the built-in services and middleware,
 * registers plugins in dependency order, and checks every configured pipeline. Fails at start-up
 * with a typed error rather than at the first write.
 */
export async function createEngine(options: EngineOptions = {}): Promise<EngineApi> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const config = await resolveConfig(options, cwd);
  const logger = isLogger(options.logger) ? options.logger : createLogger(config.logger);
  const container = rootContainer().createChildContainer();
  container.register(TOKENS.Config, { useValue: config });
  container.register(TOKENS.Logger, { useValue: logger });
  const events = new EventBus(logger);
  const fileSystem = new AnchoredFileSystem(options.fileSystem ?? new NodeFileSystem(), ({ path, leadsTo, expected }) => events.emit('path:redirected', { path, leadsTo, expected }));
  container.register(TOKENS.FileSystem, { useValue: fileSystem });
  const clock = options.clock ?? systemClock;
  container.register(TOKENS.Clock, { useValue: clock });
  container.register(TOKENS.Events, { useValue: events });
  container.register(TOKENS.SchemaValidator, { useValue: new SchemaValidator() });
  container.register(TOKENS.FileLocker, { useValue: options.locker ?? new ProperFileLocker(fileSystem, clock) });
  options.register?.(container);

  // The public services as `register` left them. The engine's own parts are built from them here
  // and kept out of the container, so no plugin can reach them.
  const services = {
    logger: container.resolve(TOKENS.Logger),
    fs: container.resolve(TOKENS.FileSystem),
    clock: container.resolve(TOKENS.Clock),
    events: container.resolve(TOKENS.Events),
    validator: container.resolve(TOKENS.SchemaValidator),
  };
  const contributions = new Contributions();
  const store: DocumentStore = options.store ?? config.store ?? new FileStore({ fs: services.fs, anchors: fileSystem, locker: container.resolve(TOKENS.FileLocker), clock: services.clock, logger: services.logger });
  const ledRelays = new Set<string>();
  const changes = store.watch ? new StoreChanges({ watch: store.watch.bind(store) }, services.logger) : undefined;
  const lockServices: LockServices = { mutex: new KeyedMutex(), store, events: services.events, logger: services.logger };
  const builtIns: Middleware[] = [
    new LockMiddleware(lockServices),
    new ValidateMiddleware(),
    new BackupMiddleware(contributions.strategies, services.events),
    new AtomicCommitMiddleware(store),
    new VerifyMiddleware(store),
  ];
  for (const middleware of builtIns) contributions.middleware.set(middleware.name, { middleware, placement: undefined, builtIn: true });

  const resolvedConfig = container.resolve(TOKENS.Config);
  const engine = new Engine(container, {
    logger: services.logger,
    events: services.events,
    clock: services.clock,
    config: resolvedConfig,
    store,
    resolver: new FileSettingsResolver(resolvedConfig, services.fs, services.validator, fileSystem, store),
    cache: new DocumentCache(),
    contributions,
    lockServices,
    // The config's store is the engine's to close, even when one given in code replaced it.
    ownedStore: config.store,
    makeBus: (host, file, busOptions, onClose) => {
      const bus = new MessageBus(host, file, busOptions, { ...services, store, ledRelays, changes });
      bus.onClose(onClose);
      return bus;
    },
  });
  try {
    await registerPlugins(config.plugins, { engine, container, background: options.background ?? true, contributions, events: services.events, logger, config });
    // Refuse a broken pipeline now, not at the first write.
    buildPipeline(config.defaults.pipeline, contributions);
    for (const file of engine.configuredFiles()) await engine.pipeline(file);
    for (const glob of engine.fileGlobs()) await fileSystem.anchor(glob.base);
    for (const hook of contributions.readyHooks) await hook(engine);
  } catch (err) {
    await engine.close();
    throw err;
  }
  return engine;
}
