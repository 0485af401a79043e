import { atomicWriteFile, NodeFileSystem, type FileSystem, type StoreWatch, type VersionToken } from '@prevention/core';
import type { PostgresStore, StoreLogger } from './postgres-store.js';

/** One document kept as a local file. */
export interface MirroredDocument {
  /** The document's name, as the engine names it (the absolute path it resolves, under the store's `root`). */
  name: string;
  /** The local file kept current (replaced atomically); by default `name` itself. */
  file?: string;
}

/** Options of {@link mirrorToFiles}. */
export interface LocalMirrorOptions {
  documents: MirroredDocument[];
  /**
   * How often the mirror checks the documents' versions even without a notification (a missed
   * one, a connection being re-made); default 500 ms.
   */
  pollMs?: number;
  /** Mode of the mirrored files; default 0o644. */
  mode?: number;
  logger?: StoreLogger;
  /** The file system to write through (fault injection); default node:fs. */
  fileSystem?: FileSystem;
}

/**
 * A per-machine, read-only mirror of PostgreSQL documents as plain JSON files, for scripts that
 * `json.load` a file: each document's current version is written to its file (temp file, fsync,
 * rename, directory fsync), so a reader sees the previous version or the next, never a mix.
 * Commits wake it through the store's change feed (`LISTEN`: the tables notify on every change);
 * it also checks every `pollMs`, so a lost notification or connection only delays it. Writes to the files are
 * never read back: the database is the truth, the files its copies.
 */
export class LocalMirror {
  private readonly written = new Map<string, VersionToken>();
  private readonly fs: FileSystem;
  private watch: StoreWatch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  /** How many versions the mirror has written, for tests and health checks. */
  syncs = 0;

  constructor(
    private readonly store: PostgresStore,
    private readonly options: LocalMirrorOptions,
  ) {
    this.fs = options.fileSystem ?? new NodeFileSystem();
  }

  /** Writes the current versions, then keeps the files current until {@link close}. */
  async start(): Promise<void> {
    await this.store.migrate();
    this.watch = await this.store.watch(
      () => void this.sync(),
      (err) => this.options.logger?.warn({ store: 'postgres', err: err.message }, 'lost the change notifications; checking every pollMs until they are back'),
    );
    await this.sync();
    this.schedule();
  }

  /** Brings every file to its document's current version now. Safe to call at any time. */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        for (const document of this.options.documents) await this.syncOne(document);
      } while (this.again && !this.closed);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.watch?.close();
  }

  private async syncOne(document: MirroredDocument): Promise<void> {
    const file = document.file ?? document.name;
    try {
      const current = await this.store.load(document.name, { unless: this.written.get(file) });
      if (!current || !('bytes' in current)) return;
      await atomicWriteFile(this.fs, file, current.bytes, { mode: this.options.mode ?? 0o644, label: 'mirroring the document' });
      this.written.set(file, current.token);
      this.syncs += 1;
    } catch (err) {
      this.options.logger?.warn({ store: 'postgres', file, err: err instanceof Error ? err.message : String(err) }, 'could not mirror the document; retrying');
    }
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.sync().then(() => this.schedule());
    }, this.options.pollMs ?? 500);
    this.timer.unref();
  }
}

/**
 * Starts a {@link LocalMirror} of `options.documents` and resolves once the files hold the
 * current versions. `close()` it before the store.
 */
export async function mirrorToFiles(store: PostgresStore, options: LocalMirrorOptions): Promise<LocalMirror> {
  const mirror = new LocalMirror(store, options);
  await mirror.start();
  return mirror;
}
