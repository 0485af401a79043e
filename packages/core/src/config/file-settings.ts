import { createRequire } from 'node:module';
import path from 'node:path';
import type Picomatch from 'picomatch';
import { stateDirFor } from '../store/file-layout.js';
import type { DocumentStore, FileSystem, JsonValue, SchemaCheck, FileOptions, ResolvedConfig, FileGlob, FileSettings } from '../contract.js';
import { ErrorCodes, PreventionError, systemErrorCode } from '../errors.js';
import type { PathAnchors } from '../fs/anchored-file-system.js';
import { sharedContextSchema } from '../bus/shared-context-schema.js';
import type { SchemaValidator } from '../json/schema-validator.js';
import { expandGlobs } from './expand-globs.js';

/**
 * A match lies at most as many levels below the base as the glob part has slashes; `**` and
 * extglobs (which can repeat a slash) put no bound on it.
 */
let loaded: typeof Picomatch | undefined;

/** picomatch, required on first use (it is CommonJS: see `tsyringe.ts` for why not imported). */
function picomatch(): typeof Picomatch {
  return (loaded ??= createRequire(import.meta.url)('picomatch') as typeof Picomatch);
}

function depthOf(scan: ReturnType<typeof Picomatch.scan>): number {
  return scan.glob.includes('**') || scan.isExtglob ? Infinity : scan.glob.split('/').length - 1;
}

/**
 * The glob of a `files` entry, relative to `baseDir`. Only the entry's own glob part is compiled:
 * the config's directory may contain characters that mean something in a glob (`[`, `(`).
 */
function fileGlob(baseDir: string, entryPath: string): FileGlob {
  const scan = picomatch().scan(entryPath);
  const base = path.resolve(baseDir, scan.base);
  const isMatch = picomatch()(scan.glob, { dot: true });
  const matches = (file: string): boolean => {
    const relative = path.relative(base, file);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) && isMatch(relative);
  };
  return { pattern: path.join(base, scan.glob), base, depth: depthOf(scan), matches };
}

const SHARED_CONTEXT_SCHEMA_TEXT = JSON.stringify(sharedContextSchema);

/** The defaults prevention applies where the config says nothing. */
export const DEFAULTS = {
  initial: {} as JsonValue,
  maxBytes: 64 * 1024 * 1024,
  maxDepth: 256,
  indent: 2,
  lock: { staleMs: 10_000, timeoutMs: 30_000 },
  backup: { required: true },
  onCorrupt: 'restore' as const,
  onOutsideWrite: 'restore' as const,
  acceptOutsideAppends: false,
  eventFormat: 'auto' as const,
};

/**
 * Resolves the settings of a file from the config: the top-level defaults, then every `files`
 * entry whose path or glob matches, later entries overriding earlier ones. Schemas are read
 * through the FileSystem port and compiled once.
 */
export class FileSettingsResolver {
  private readonly cache = new Map<string, Promise<FileSettings>>();
  private readonly schemas = new Map<string, Promise<SchemaCheck>>();
  private readonly matchers: Array<{ entry: FileOptions & { path: string }; index: number; matches: (file: string) => boolean }>;
  private readonly globs: FileGlob[] = [];

  constructor(
    private readonly config: ResolvedConfig,
    private readonly fs: FileSystem,
    private readonly validator: SchemaValidator,
    private readonly anchors: PathAnchors,
    /** Where the documents are: a store that lists them (a database) has its globs matched against that list, not the disk. */
    private readonly store: DocumentStore,
  ) {
    this.matchers = config.files.map((entry, index) => {
      if (!picomatch().scan(entry.path).isGlob) {
        const absolute = path.resolve(config.baseDir, entry.path);
        return { entry, index, matches: (file: string) => file === absolute };
      }
      const glob = fileGlob(config.baseDir, entry.path);
      this.globs.push(glob);
      return { entry, index, matches: glob.matches };
    });
  }

  /** Absolute path of `file` (relative paths resolve against the engine's cwd). */
  resolvePath(file: string): string {
    return path.resolve(this.config.cwd, file);
  }

  /** The settings for an absolute path. */
  settingsFor(file: string): Promise<FileSettings> {
    let settings = this.cache.get(file);
    if (!settings) {
      settings = this.build(file);
      this.cache.set(file, settings);
      settings.catch(() => this.cache.delete(file));
    }
    return settings;
  }

  /** The absolute paths of configured files that are not globs. */
  configuredFiles(): string[] {
    return this.config.files.filter((f) => !picomatch().scan(f.path).isGlob).map((f) => path.resolve(this.config.baseDir, f.path));
  }

  /** The configured `files` entries that are globs. */
  fileGlobs(): FileGlob[] {
    return [...this.globs];
  }

  /**
   * The configured files, then those the globs match now, each once: on the disk (see
   * {@link expandGlobs}), or among the store's documents when it lists them.
   */
  async managedFiles(): Promise<string[]> {
    return [...new Set([...this.configuredFiles(), ...(await this.globbed())])];
  }

  private async globbed(): Promise<string[]> {
    if (this.globs.length === 0) return [];
    if (!this.store.list) return expandGlobs(this.fs, this.globs);
    return (await this.store.list()).filter((name) => this.globs.some((glob) => glob.matches(name))).sort();
  }

  private async build(file: string): Promise<FileSettings> {
    // The first time the engine meets a file is its start-up for that file: from here on, a link
    // planted at its directory or at prevention's folder beside it is refused, not followed. The
    // state folder goes first, so a link it already is (onto another disk, say) stays allowed.
    await this.anchors.anchor(stateDirFor(file));
    await this.anchors.anchor(path.dirname(file));
    let merged: FileOptions = { ...this.config.defaults };
    // The config key the schema came from, so that an error about it names the setting to fix.
    let schemaKey = 'schema';
    for (const { entry, index, matches } of this.matchers) {
      if (!matches(file)) continue;
      const { path: _ignored, ...options } = entry;
      if (options.schema !== undefined) schemaKey = `files[${index}].schema`;
      merged = { ...merged, ...options, lock: { ...merged.lock, ...options.lock }, backup: { ...merged.backup, ...options.backup } };
    }
    const schemaSource = typeof merged.schema === 'string' ? path.resolve(this.config.baseDir, merged.schema) : merged.schema ? 'inline' : undefined;
    return {
      file,
      schema: merged.schema === undefined ? undefined : await this.compile(merged.schema, schemaKey),
      schemaSource,
      initial: merged.initial ?? DEFAULTS.initial,
      maxBytes: merged.maxBytes ?? DEFAULTS.maxBytes,
      maxDepth: merged.maxDepth ?? DEFAULTS.maxDepth,
      indent: merged.indent ?? DEFAULTS.indent,
      pipeline: merged.pipeline,
      lock: { ...DEFAULTS.lock, ...merged.lock },
      backup: { ...DEFAULTS.backup, ...merged.backup },
      onCorrupt: merged.onCorrupt ?? DEFAULTS.onCorrupt,
      onOutsideWrite: merged.onOutsideWrite ?? DEFAULTS.onOutsideWrite,
      acceptOutsideAppends: merged.acceptOutsideAppends ?? DEFAULTS.acceptOutsideAppends,
      eventFormat: merged.eventFormat ?? DEFAULTS.eventFormat,
    };
  }

  /**
   * A schema problem is a config problem: `details` name the setting (`key`, such as
   * `files[0].schema`), the schema file (`source`) and the `reason`: `schema-unreadable` (with
   * the system code), `schema-not-json` or `schema-invalid`.
   */
  private schemaError(reason: string, key: string, source: string, problem: string, cause: unknown): PreventionError {
    const where = this.config.configFile ? `${key} in ${this.config.configFile}` : key;
    return new PreventionError(ErrorCodes.CONFIG_INVALID, `${where}: ${problem}`, { cause, ...(source === 'inline' ? {} : { file: source }), details: { reason, key, source } });
  }

  private compile(schema: string | Record<string, unknown>, key: string): Promise<SchemaCheck> {
    if (typeof schema !== 'string') return this.compileNow(schema, 'inline', key);
    const source = path.resolve(this.config.baseDir, schema);
    let compiled = this.schemas.get(source);
    if (!compiled) {
      compiled = this.fs.readFile(source).then(
        (bytes) => {
          let parsed: Record<string, unknown>;
          try {
            parsed = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
          } catch (cause) {
            throw this.schemaError('schema-not-json', key, source, `the schema ${source} is not valid JSON: ${(cause as Error).message}`, cause);
          }
          return this.compileNow(parsed, source, key);
        },
        (cause: unknown) => {
          const missing = systemErrorCode(cause) === 'ENOENT';
          const problem = missing ? `the schema file ${source} does not exist (a schema path is relative to the config file)` : `cannot read the schema ${source}: ${(cause as Error).message}`;
          throw this.schemaError('schema-unreadable', key, source, problem, cause);
        },
      );
      this.schemas.set(source, compiled);
    }
    return compiled;
  }

  /** @param source the schema file, or `inline` for a schema object in the config */
  private async compileNow(schema: Record<string, unknown>, source: string, key: string): Promise<SchemaCheck> {
    try {
      // `prevention init` writes the shared context schema as it ships, which is known valid.
      return this.validator.compile(schema, { trusted: JSON.stringify(schema) === SHARED_CONTEXT_SCHEMA_TEXT });
    } catch (cause) {
      const what = source === 'inline' ? 'the inline schema' : `the schema ${source}`;
      throw this.schemaError('schema-invalid', key, source, `${what} is not a valid JSON Schema: ${(cause as Error).message}`, cause);
    }
  }
}
