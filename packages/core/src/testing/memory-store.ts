import { contentBytes } from '../json/byte-rope.js';
import type { ArchivedEvent, CommitRecord, DocumentStore, StoreEventArchive, LockHandle, LockOptions, StoreCommitOptions, StoredCommit, StoredHead, StoredVersion, VersionToken, VersionContent } from '../contract.js';
import { ErrorCodes, PreventionError } from '../errors.js';

interface Held {
  version: StoredVersion;
}

interface Waiter {
  grant(): void;
}

/**
 * A {@link DocumentStore} in this process's memory: for tests of engines, pipelines and plugins
 * that need no disk, and the smallest example of the port (it passes the same contract suite as
 * the file store). Its lock excludes holders within the process; nothing survives the process.
 */
export class MemoryStore implements DocumentStore {
  readonly kind = 'memory';
  private readonly documents = new Map<string, Held>();
  private readonly records = new Map<string, CommitRecord>();
  private readonly quarantined = new Map<string, Uint8Array>();
  private readonly holders = new Map<string, { handle: LockHandle; waiters: Waiter[] }>();
  /** Each document's archived events by seq, with the token of the commit that archived them. */
  private readonly archived = new Map<string, Map<number, ArchivedEvent & { token: VersionToken }>>();
  private versions = 0;

  /** Events bus retention moved out, kept with the commit that moved them, as a database keeps them in its transaction. */
  readonly eventArchive: StoreEventArchive = {
    lastSeq: async (name) => Math.max(0, ...(this.archived.get(name)?.keys() ?? [])),
    read: async (name, after, before) =>
      [...(this.archived.get(name)?.values() ?? [])]
        .filter((row) => row.seq > after && row.seq < before)
        .sort((a, b) => a.seq - b.seq)
        .map(({ seq, event }) => ({ seq, event: structuredClone(event) })),
  };

  async prepare(): Promise<void> {}

  async head(name: string): Promise<StoredHead | undefined> {
    const held = this.documents.get(name);
    return held && { token: held.version.token, attributes: held.version.attributes };
  }

  async load(name: string, options: { unless?: VersionToken } = {}): Promise<StoredVersion | StoredHead | undefined> {
    const held = this.documents.get(name);
    if (!held) return undefined;
    if (held.version.token === options.unless) return { token: held.version.token, attributes: held.version.attributes };
    return { ...held.version, bytes: Uint8Array.from(held.version.bytes) };
  }

  async readBack(name: string, options: { from?: number } = {}): Promise<Uint8Array> {
    const held = this.documents.get(name);
    if (!held) throw new PreventionError(ErrorCodes.IO_FAILED, `${name} does not exist in the memory store`, { file: name });
    return Uint8Array.from(held.version.bytes.subarray(options.from ?? 0));
  }

  async lock(name: string, options: LockOptions): Promise<LockHandle> {
    const deadline = Date.now() + options.timeoutMs;
    while (this.holders.has(name)) {
      const holder = this.holders.get(name)!;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          holder.waiters.splice(holder.waiters.indexOf(waiter), 1);
          reject(new PreventionError(ErrorCodes.LOCK_TIMEOUT, `timed out after ${options.timeoutMs} ms waiting for the lock on ${name}`, { file: name }));
        }, Math.max(0, deadline - Date.now()));
        const waiter: Waiter = {
          grant: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        holder.waiters.push(waiter);
      });
    }
    const controller = new AbortController();
    let released = false;
    const handle: LockHandle = {
      file: name,
      lockPath: `memory:${name}`,
      signal: controller.signal,
      staleRecovered: undefined,
      assertHeld: async () => {
        if (this.holders.get(name)?.handle !== handle) {
          const error = new PreventionError(ErrorCodes.LOCK_COMPROMISED, `the lock on ${name} is no longer held by this holder; nothing was changed`, { file: name });
          if (!controller.signal.aborted) controller.abort(error);
          throw error;
        }
      },
      release: async () => {
        if (released) return;
        released = true;
        const holder = this.holders.get(name);
        if (holder?.handle !== handle) return;
        this.holders.delete(name);
        // The first waiter to run takes the lock; the others wait on for its release.
        for (const waiter of holder.waiters) waiter.grant();
      },
    };
    this.holders.set(name, { handle, waiters: [] });
    return handle;
  }

  async commit(name: string, content: Uint8Array | VersionContent, options: StoreCommitOptions): Promise<StoredCommit> {
    const bytes = contentBytes(content);
    await options.ready?.();
    if (options.signal?.aborted) throw options.signal.reason as Error;
    await options.lock?.assertHeld();
    const found = this.documents.get(name)?.version.token;
    if (options.expected !== undefined && found !== (options.expected ?? undefined)) {
      throw new PreventionError(ErrorCodes.LOCK_COMPROMISED, `${name} changed while this holder held its lock; the commit was refused and the document left as it was`, { file: name });
    }
    const commit = this.put(name, bytes, options.attributes ?? options.previous?.attributes);
    if (options.archive?.length) {
      let rows = this.archived.get(name);
      if (!rows) this.archived.set(name, (rows = new Map()));
      for (const { seq, event } of options.archive) rows.set(seq, { seq, event: structuredClone(event), token: commit.token });
    }
    return commit;
  }

  async revert(name: string, written: StoredCommit, previous: StoredVersion | undefined, lock: LockHandle | undefined): Promise<void> {
    await lock?.assertHeld();
    if (this.documents.get(name)?.version.token !== written.token) {
      throw new PreventionError(ErrorCodes.LOCK_COMPROMISED, `${name} was written by another holder after this commit; it is kept as it is`, { file: name });
    }
    const rows = this.archived.get(name);
    for (const [seq, row] of rows ?? []) if (row.token === written.token) rows!.delete(seq);
    if (previous) this.put(name, previous.bytes, previous.attributes);
    else this.documents.delete(name);
  }

  async record(name: string, commit: StoredCommit & { sha256: string }): Promise<void> {
    this.records.set(name, { sha256: commit.sha256, size: commit.size, mode: commit.attributes?.mode ?? 0o644, ino: commit.token, at: new Date().toISOString(), pid: process.pid });
  }

  async lastRecord(name: string): Promise<CommitRecord | undefined> {
    return this.records.get(name);
  }

  async quarantine(name: string, bytes: Uint8Array, reason: string): Promise<string> {
    const id = `memory:${name}#${this.quarantined.size + 1}.${reason}`;
    this.quarantined.set(id, Uint8Array.from(bytes));
    return id;
  }

  /** What {@link quarantine} kept under `id`. */
  quarantinedBytes(id: string): Uint8Array | undefined {
    return this.quarantined.get(id);
  }

  private put(name: string, bytes: Uint8Array, attributes: StoredVersion['attributes']): StoredCommit {
    this.versions += 1;
    const version: StoredVersion = { token: `v${this.versions}`, attributes, bytes: Uint8Array.from(bytes) };
    this.documents.set(name, { version });
    return { token: version.token, attributes, size: bytes.length };
  }
}
