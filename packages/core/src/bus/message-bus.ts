import { createHash } from 'node:crypto';
import { archivePathFor, relaySocketPathFor } from '../store/file-layout.js';
import type { MutationResult, ArchiveInspection, ArchiveRepair, BusHost, MessageBusApi, Clock, CommitResult, DocumentStore, FileSettings, EngineEvents, FileSystem, JsonObject, JsonValue, SchemaCheck, Logger, WriteContext, BusEvent, EventQuery, PublishInput, SubscribeOptions, EventHandler, BusOptions } from '../contract.js';
import { parseDuration } from '../config/duration.js';
import { engineClosed, ErrorCodes, isPreventionError, PreventionError, type ValidationIssue } from '../errors.js';
import { isPlainObject, pointerSegment } from '../json/json-value.js';
import { markExtension } from '../json/serialize-document.js';
import type { SchemaValidator } from '../json/schema-validator.js';
import { depthAt, toJsonDocument } from '../json/to-json-document.js';
import { stateKey } from '../pipeline/middleware.js';
import type { BusArchive } from './bus-archive.js';
import { EventArchive } from './event-archive.js';
import { StoreArchive } from './store-archive.js';
import type { StoreChanges } from './store-changes.js';
import { resolveFormat, sequenceOf, toBusEvent, toStored } from './event-format.js';
import { checkEnvelope, checkStoredEvent } from './shared-context-checks.js';
import { Follower } from './follower.js';
import { PublishRelay, type RelayedEvent, type RelayedPublisher } from './publish-relay.js';
import { uuidv7 } from './uuidv7.js';

/** What the bus needs from its engine. */
export interface BusServices {
  /** For files, the bus's archive (retention) is kept in files beside the shared file. */
  fs: FileSystem;
  /**
   * Where the shared file's versions are: followers poll it for new ones; on files, publishes
   * are relayed between processes; a store with its own event archive keeps the bus's.
   */
  store: Pick<DocumentStore, 'head' | 'kind' | 'eventArchive'>;
  clock: Clock;
  logger: Logger;
  validator: SchemaValidator;
  events: EngineEvents;
  /** The publish-relay sockets this engine's buses lead (see {@link PublishRelay}). */
  ledRelays: Set<string>;
  /** The engine's share of the store's change feed, when the store has one: it wakes followers. */
  changes: StoreChanges | undefined;
}

/** Publishes committed together. */
interface PublishBatch {
  entries: BatchEntry[];
  /** Set once the commit has taken the entries: later publishes start a new batch. */
  sealed: boolean;
  done: Promise<void>;
}

/** One publish call's events in a batch, and what became of them. */
interface BatchEntry {
  events: PreparedEvent[];
  /**
   * The outcome of an earlier attempt is unknown (a relaying leader went away without
   * answering, or this is a relayed publish): committed only if its ids are not in the file yet.
   */
  once: boolean;
  /** For a relayed publish: its publisher (left out once it stopped waiting). */
  publisher?: RelayedPublisher;
  /** The committed events (appended now, or found already committed). */
  committed?: BusEvent[];
  /** A relayed publish not taken: its publisher commits it itself. */
  declined?: boolean;
}

/** A publish that passed validation, waiting for its seq. */
interface PreparedEvent {
  /** Chosen before the commit, so a publish whose outcome is unknown can be found in the file. */
  id: string;
  type: string;
  source: string;
  payload: JsonValue;
  correlationId?: string;
}

/** Top-level keys the bus owns; the rest of the file is shared state. */
const RESERVED = new Set(['events', 'version', 'last_updated', 'total_events']);

const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** How deep a payload sits in the file: root → `events` → event → payload. */
const PAYLOAD_DEPTH = depthAt('/events/0/payload');

/** The archives reconciled in a commit, each with the last seq archived so far. */
const ARCHIVED = stateKey<Map<string, number>>('reconciled event archives');

function badPublish(file: string, issues: ValidationIssue[]): PreventionError {
  return new PreventionError(
    ErrorCodes.VALIDATION_FAILED,
    `refused to publish to ${file}: ${issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')}. Nothing was committed for it`,
    { file, issues },
  );
}

/** The document as a shared context: an object whose `events` is an array. */
function asContext(document: JsonValue, file: string): { base: JsonObject; events: JsonValue[] } {
  if (!isPlainObject(document) || (document.events !== undefined && !Array.isArray(document.events))) {
    throw new PreventionError(ErrorCodes.VALIDATION_FAILED, `${file} is not a shared context file: it must be an object whose "events" is an array`, {
      file,
      issues: [{ path: '/events', message: 'must be an array' }],
    });
  }
  return { base: document as JsonObject, events: (document.events as JsonValue[] | undefined) ?? [] };
}

/** Refuses to turn an existing object into a shared context behind its owner's back. */
function notASharedContext(file: string): PreventionError {
  return new PreventionError(
    ErrorCodes.VALIDATION_FAILED,
    `${file} is not a shared context: it is an object without an "events" array, and publishing would add "events" and "version" to it. Nothing was committed`,
    { file, issues: [{ path: '/events', message: 'is missing: the bus publishes only into a shared context' }], details: { reason: 'not-a-shared-context' } },
  );
}

/**
 * A message bus on one shared context file (`{ "version": 1, "events": [...] }`): several
 * processes publish events to it and follow what the others publish. Every publish is a commit
 * through the engine's pipeline (locked, validated, backed up, atomic, verified), and concurrent
 * publishes are committed together. Files written by earlier buses are read and appended to
 * without rewriting their events.
 */
export class MessageBus implements MessageBusApi {
  readonly archive: BusArchive;
  private readonly maxEvents: number | undefined;
  private readonly maxAgeMs: number | undefined;
  /** Whether this bus moves events to the archive. */
  private readonly retains: boolean;
  private readonly payloadChecks = new Map<string, SchemaCheck>();
  private readonly follower: Follower;
  private readonly closeHooks: Array<() => void | Promise<void>> = [];
  /** The last seq of an events array already scanned, so appends do not rescan the file. */
  private readonly lastSeqOf = new WeakMap<JsonValue[], number>();
  private open: PublishBatch | undefined;
  private relay: Promise<PublishRelay | undefined> | undefined;

  /** @internal Use `engine.bus(file)`. */
  constructor(
    private readonly engine: BusHost,
    readonly file: string,
    private readonly options: BusOptions,
    private readonly services: BusServices,
  ) {
    if (options.maxEvents !== undefined && (!Number.isInteger(options.maxEvents) || options.maxEvents < 1)) {
      throw new PreventionError(ErrorCodes.CONFIG_INVALID, `bus maxEvents must be a whole number of at least 1 (got ${options.maxEvents})`);
    }
    this.maxEvents = options.maxEvents;
    this.maxAgeMs = options.maxAge === undefined ? undefined : parseDuration(options.maxAge, 'bus maxAge');
    this.retains = this.maxEvents !== undefined || this.maxAgeMs !== undefined;
    this.archive = archiveFor(file, options, services, this.retains);
    for (const [type, schema] of Object.entries(options.schemas ?? {})) {
      this.payloadChecks.set(type, services.validator.compile(schema));
    }
    this.follower = new Follower(this, services, options.pollMs ?? 50);
  }

  /** Publishes one event; resolves with it once it is durably committed. */
  async publish<P = JsonValue>(input: PublishInput<P>): Promise<BusEvent> {
    const [event] = await this.publishMany([input]);
    return event!;
  }

  /** Publishes several events in one commit, in order; all or none are committed. */
  async publishMany<P = JsonValue>(inputs: ReadonlyArray<PublishInput<P>>): Promise<BusEvent[]> {
    // The engine still commits while its buses close (the publishes a leading relay drains), not new ones of this process.
    if (this.engine.closing) throw engineClosed();
    const settings = await this.engine.settings(this.file);
    const prepared = inputs.map((input, i) => this.prepare(input, inputs.length > 1 ? `/${i}` : '', settings));
    const relay = await (this.relay ??= this.openRelay(settings));
    const relayed = relay ? await relay.submit(prepared) : { kind: 'local' as const };
    if (relayed.kind === 'committed') return relayed.events;
    if (relayed.kind === 'failed') throw relayed.error;
    const entry = await this.commitHere(settings, { events: prepared, once: relayed.kind === 'lost' });
    return entry.committed!;
  }

  /**
   * Commits events another process's bus handed over (see {@link PublishRelay}); validated
   * again here, by this bus's rules.
   */
  private async commitRelayed(events: RelayedEvent[], publisher: RelayedPublisher): Promise<BusEvent[] | 'declined' | 'resigned'> {
    const settings = await this.engine.settings(this.file);
    const prepared = events.map((event, i) => {
      if (typeof event?.id !== 'string' || !UUID.test(event.id)) throw badPublish(this.file, [{ path: `/${i}/id`, message: 'must be a UUID' }]);
      return { ...this.prepare(event, events.length > 1 ? `/${i}` : '', settings), id: event.id };
    });
    let entry: BatchEntry;
    try {
      entry = await this.commitHere(settings, { events: prepared, once: true, publisher });
    } catch (err) {
      // Closing since the request arrived: nothing was queued, the publisher goes elsewhere.
      if (isPreventionError(err, ErrorCodes.ENGINE_CLOSED)) return 'resigned';
      throw err;
    }
    return entry.declined || !entry.committed ? 'declined' : entry.committed;
  }

  /** Adds a publish to the batch the next commit takes, and waits for that commit. */
  private async commitHere(settings: FileSettings, entry: BatchEntry): Promise<BatchEntry> {
    // Publishes that arrive while the next commit has not started join it, so a burst costs one
    // commit and one archive append, not one each.
    if (!this.open || this.open.sealed) this.open = this.startBatch(settings);
    const batch = this.open;
    batch.entries.push(entry);
    await batch.done;
    return entry;
  }

  /**
   * The relay of publishes between processes, for a file store: processes whose buses on the
   * file share the options that shape a commit meet at one socket.
   */
  private async openRelay(settings: FileSettings): Promise<PublishRelay | undefined> {
    if (this.options.relay === false || this.services.store.kind !== 'file') return undefined;
    const { maxEvents, maxAge, eventFormat, maxPayloadBytes, schemas, archivePath, addEvents } = this.options;
    const shape = JSON.stringify([maxEvents, maxAge, eventFormat ?? settings.eventFormat, maxPayloadBytes, schemas, archivePath, addEvents, settings.schemaSource, settings.pipeline]);
    const socketPath = relaySocketPathFor(this.file, createHash('sha256').update(shape).digest('hex').slice(0, 12));
    if (!PublishRelay.fits(socketPath)) return undefined;
    const relay = new PublishRelay(
      { commitRelayed: (events, publisher) => this.commitRelayed(events, publisher) },
      {
        socketPath,
        fs: this.services.fs,
        logger: this.services.logger,
        answerTimeoutMs: settings.lock.timeoutMs + settings.lock.staleMs,
        idleMs: typeof this.options.relay === 'object' ? this.options.relay.idleMs : undefined,
        joinWaitMs: typeof this.options.relay === 'object' ? this.options.relay.joinWaitMs : undefined,
        handOffMs: typeof this.options.relay === 'object' ? this.options.relay.handOffMs : undefined,
        ledHere: this.services.ledRelays,
        // Led or following, this process may commit to the file: the parse of it that its
        // first commit (or a take-over) builds on is made before the first publish goes out.
        prepare: () => this.engine.warm(this.file),
      },
    );
    this.closeHooks.push(() => relay.close());
    return relay;
  }

  private startBatch(settings: FileSettings): PublishBatch {
    const batch: PublishBatch = { entries: [], sealed: false, done: Promise.resolve() };
    const commit = () =>
      this.engine.mutate(this.file, {
        apply: async (document, commit) => {
          batch.sealed = true;
          const { next, stored } = await this.append(document, batch.entries, commit);
          return { next, added: stored };
        },
        check: (next) => checkEnvelope({ ...(next as JsonObject), events: [] }),
        // A schema the user configured for the file is checked in full; the built-in format only
        // needs the envelope and the new events checked, which keeps appends O(new events).
        fullCheck: settings.schemaSource !== undefined,
      });
    // The engine commits a file's batches one after the other anyway; waiting here for the one
    // before lets a leading relay then hold this one for the publishers it has just answered
    // (see PublishRelay.nextCommit), so they join this commit rather than the next.
    const before = this.open?.done.catch(() => undefined);
    batch.done = (this.relay ? this.roundAfter(before).then(commit) : commit())
      .then(() => {
        for (const entry of batch.entries) if (entry.committed) entry.publisher?.committed(entry.committed);
      })
      .finally(() => {
        // A commit that failed before taking the items (the lock, say) must not take later ones.
        batch.sealed = true;
      });
    // Whoever awaits the batch sees its failure; this keeps an unobserved one from being reported twice.
    batch.done.catch(() => undefined);
    return batch;
  }

  /** Settles once the batch `before` (if any) is done and the leading relay's join wait for the next commit is over. */
  private async roundAfter(before: Promise<void> | undefined): Promise<void> {
    await before;
    const relay = await this.relay;
    await relay?.nextCommit();
  }

  /** Events after `since` (default 0: all, including archived ones), oldest first, filtered. */
  async events(query: EventQuery = {}): Promise<BusEvent[]> {
    const since = query.since ?? 0;
    const { events } = asContext(await this.engine.readShared(this.file), this.file);
    const seqs = this.sequence(events);
    const firstLive = seqs[0] ?? Infinity;
    const found: BusEvent[] = [];
    if (since + 1 < firstLive) {
      for (const { raw, seq } of await this.archive.read(since, firstLive)) found.push(toBusEvent(raw, seq));
    }
    events.forEach((raw, i) => {
      if (seqs[i]! > since) found.push(structuredClone(toBusEvent(raw, seqs[i]!)));
    });
    const types = query.type === undefined ? undefined : new Set([query.type].flat());
    const sources = query.source === undefined ? undefined : new Set([query.source].flat());
    const filtered = found.filter((e) => (!types || types.has(e.type)) && (!sources || sources.has(e.source)));
    return query.limit === undefined ? filtered : filtered.slice(0, query.limit);
  }

  /** The seq of the newest event (0 for none). */
  async lastSeq(): Promise<number> {
    const { events } = asContext(await this.engine.readShared(this.file), this.file);
    return this.sequence(events).at(-1) ?? 0;
  }

  /**
   * Calls `handler` for every event published by any process after `since` (default: events
   * published from now on), in `seq` order, each exactly once, one at a time. A handler that
   * throws is logged and delivery goes on. Returns the function that stops it.
   */
  subscribe(handler: EventHandler, options: SubscribeOptions = {}): () => void {
    return this.follower.add(handler, options);
  }

  /** Non-event top-level keys of the file, committed through the same pipeline. */
  readonly state = {
    /** A copy of the value at `key`. */
    get: async <T = JsonValue>(key: string): Promise<T | undefined> => {
      const { base } = asContext(await this.engine.readShared(this.file), this.file);
      return structuredClone(base[key]) as T | undefined;
    },
    /** Sets `key` to `value`; other keys and the events are untouched. */
    set: (key: string, value: unknown): Promise<CommitResult> => this.state.update((state) => ({ ...state, [key]: value as JsonValue })),
    /** Replaces the shared state (every non-event key) with what `fn` returns for a copy of it. */
    update: (fn: (state: JsonObject) => JsonObject | void): Promise<CommitResult> =>
      this.engine.mutate(this.file, {
        apply: (document, commit) => {
          const { base } = asContext(document, this.file);
          const state: JsonObject = {};
          const kept: JsonObject = {};
          for (const [key, value] of Object.entries(base)) (RESERVED.has(key) ? kept : state)[key] = value;
          const draft = structuredClone(state);
          // The state's keys are the document's: it is checked as the root.
          const result = toJsonDocument(fn(draft) ?? draft, { maxDepth: commit.settings.maxDepth });
          if (!result.ok) throw badPublish(this.file, result.issues);
          const nextState = result.value as JsonObject;
          const clash = Object.keys(nextState).filter((key) => RESERVED.has(key));
          if (clash.length > 0) throw badPublish(this.file, clash.map((key) => ({ path: `/${key}`, message: 'is owned by the bus and cannot be set as state' })));
          return { next: { ...kept, ...nextState }, added: Object.entries(nextState).map(([key, value]) => ({ at: `/${pointerSegment(key)}`, value })) };
        },
        check: (next) => checkEnvelope({ ...(next as JsonObject), events: [] }),
      }),
  };

  /**
   * Checks the archive as append-only data: its committed lines unchanged since the ledger
   * recorded them, none missing up to the live file's oldest event, and its copy agreeing.
   * Takes no lock and changes nothing.
   */
  inspectArchive(): Promise<ArchiveInspection> {
    return this.archive.inspect(async () => this.boundaryOf(await this.engine.readShared(this.file)));
  }

  /** Puts a damaged archive back from its copy, holding the file's lock; the damaged bytes are quarantined. */
  repairArchive(): Promise<ArchiveRepair> {
    return this.engine.withLock(this.file, async () => {
      const mode = await this.services.fs.stat(this.file).then((s) => s.mode & 0o7777, () => 0o644);
      return this.archive.repair(this.boundaryOf(await this.engine.readShared(this.file)), mode);
    });
  }

  /** Stops every subscription. */
  async close(): Promise<void> {
    this.follower.close();
    // A batch waiting for the commit before it has not reached the engine yet: while an
    // engine closes its buses it still takes it, so the publishes made before close land.
    const pending = this.open?.done.catch(() => undefined);
    await Promise.all([...this.closeHooks.splice(0).map((hook) => hook()), pending]);
  }

  /** @internal */
  onClose(hook: () => void): void {
    this.closeHooks.push(hook);
  }

  private sequence(events: JsonValue[]): number[] {
    return sequenceOf(events);
  }

  /** Validates one publish before it is queued, so a bad one never reaches the commit. */
  private prepare(input: PublishInput<unknown>, at: string, settings: FileSettings): PreparedEvent {
    const issues: ValidationIssue[] = [];
    if (typeof input?.type !== 'string' || input.type.length === 0) issues.push({ path: `${at}/type`, message: 'must be a non-empty string' });
    if (typeof input?.source !== 'string' || input.source.length === 0) issues.push({ path: `${at}/source`, message: 'must be a non-empty string' });
    if (input?.correlationId !== undefined && typeof input.correlationId !== 'string') issues.push({ path: `${at}/correlationId`, message: 'must be a string' });
    // Checked where it will sit in the file, so one bad publish is refused alone, before it joins a batch.
    const payload = toJsonDocument(input?.payload === undefined ? null : input.payload, { maxDepth: settings.maxDepth, depth: PAYLOAD_DEPTH });
    if (!payload.ok) issues.push(...payload.issues.map((i) => ({ ...i, path: `${at}/payload${i.path}` })));
    if (payload.ok) {
      const size = Buffer.byteLength(JSON.stringify(payload.value));
      const limit = this.options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD;
      if (size > limit) issues.push({ path: `${at}/payload`, message: `is ${size} bytes, over the limit of ${limit} (maxPayloadBytes)`, limit: { setting: 'maxPayloadBytes', value: limit } });
      const check = this.payloadChecks.get(input.type);
      if (check) issues.push(...check(payload.value).map((i) => ({ ...i, path: `${at}/payload${i.path}` })));
    }
    if (issues.length > 0) {
      this.services.events.emit('validate:failed', { file: this.file, issues });
      throw badPublish(this.file, issues);
    }
    return { id: uuidv7(this.services.clock.now()), type: input.type, source: input.source, payload: payload.ok ? payload.value : null, ...(input.correlationId ? { correlationId: input.correlationId } : {}) };
  }

  /**
   * Builds the next document: new events appended with the next seqs, the overflow archived
   * first. Sets each entry's outcome.
   */
  private async append(document: JsonValue, entries: readonly BatchEntry[], commit: WriteContext): Promise<{ next: JsonObject; stored: MutationResult['added'] }> {
    const { base, events } = asContext(document, this.file);
    if (commit.current && base.events === undefined && !this.options.addEvents) throw notASharedContext(this.file);
    const mode = commit.current?.attributes?.mode ?? 0o644;
    const archived = this.retains ? await this.reconcileArchive(commit, mode) : 0;
    // After a restore of an older version the archive may hold seqs past the live file's: they
    // were acknowledged, so they are never given again.
    let lastSeq = Math.max(this.lastSeqOf.get(events) ?? this.sequence(events).at(-1) ?? 0, archived);
    const format = resolveFormat(this.options.eventFormat ?? commit.settings.eventFormat, events);
    const now = new Date(this.services.clock.now());
    const committed = entries.some((e) => e.once) && format === 'prevention' ? committedIds(events) : undefined;
    const added: BusEvent[] = [];
    for (const entry of entries) {
      // The older shapes keep no event id, so only its publisher can commit a relayed publish there.
      if (entry.publisher && (!entry.publisher.live() || format !== 'prevention')) {
        entry.declined = true;
        continue;
      }
      const found = committed && entry.events.map((p) => committed.get(p.id));
      if (found?.every((i) => i !== undefined)) {
        const seqs = this.sequence(events);
        entry.committed = found.map((i) => structuredClone(toBusEvent(events[i]!, seqs[i]!)));
        continue;
      }
      entry.committed = entry.events.map((p) => ({ id: p.id, seq: ++lastSeq, type: p.type, source: p.source, timestamp: now.toISOString(), payload: p.payload, ...(p.correlationId ? { correlationId: p.correlationId } : {}) }));
      added.push(...entry.committed);
    }
    for (const event of added) {
      const issues = checkStoredEvent(toStored(event, format, now));
      if (issues.length > 0) throw badPublish(this.file, issues);
    }
    let nextEvents = events.concat(added.map((e) => toStored(e, format, now)));
    markExtension(nextEvents, events);
    const cut = this.overflow(nextEvents, now.getTime());
    if (cut > 0) {
      const seqs = sequenceOf(nextEvents.slice(0, cut));
      // Events archived before a restore brought them back to the live file are archived already.
      const leaving = nextEvents
        .slice(0, cut)
        .map((raw, i) => ({ ...(raw as JsonObject), seq: seqs[i]! }))
        .filter((event) => event.seq > archived);
      await this.archive.append(leaving, mode, commit);
      this.archivedUpTo(commit, leaving.at(-1)?.seq ?? archived);
      nextEvents = nextEvents.slice(cut);
    }
    const kept = Math.min(added.length, nextEvents.length);
    const stored = nextEvents.slice(nextEvents.length - kept).map((value, i) => ({ at: `/events/${nextEvents.length - kept + i}`, value }));
    this.lastSeqOf.set(nextEvents, lastSeq);
    const next: JsonObject = format === 'prevention' && base.version === undefined ? { version: 1, ...base, events: nextEvents } : { ...base, events: nextEvents };
    if (format === 'legacy-event-type') {
      next.last_updated = added.at(-1) ? (toStored(added.at(-1)!, format, now).timestamp as string) : (next.last_updated ?? null);
      next.total_events = nextEvents.length;
    }
    return { next, stored };
  }

  /**
   * Once per commit (whichever bus on the file appends first), drops archive lines of commits
   * that did not happen, judged against the committed version, not the one being built.
   */
  private async reconcileArchive(commit: WriteContext, mode: number): Promise<number> {
    let done = commit.state.get(ARCHIVED);
    if (!done) commit.state.set(ARCHIVED, (done = new Map()));
    const known = done.get(this.archive.location);
    if (known !== undefined) return known;
    const archived = await this.archive.reconcile(this.boundaryOf(commit.current?.document), mode);
    done.set(this.archive.location, archived);
    return archived;
  }

  /** Records, for the commit's later changes, the last seq this commit archived. */
  private archivedUpTo(commit: WriteContext, seq: number): void {
    commit.state.get(ARCHIVED)?.set(this.archive.location, seq);
  }

  /** The seq of the oldest live event of `document`: every archived line of a committed version is below it. */
  private boundaryOf(document: JsonValue | undefined): number {
    // With no live event (a new file), no seq is committed: every line is uncommitted.
    return document === undefined ? 1 : (this.sequence(asContext(document, this.file).events)[0] ?? 1);
  }

  /** How many of the oldest events must move to the archive. */
  private overflow(events: JsonValue[], now: number): number {
    let cut = this.maxEvents !== undefined ? Math.max(0, events.length - this.maxEvents) : 0;
    if (this.maxAgeMs !== undefined) {
      while (cut < events.length - 1) {
        const raw = events[cut];
        const at = Date.parse(raw && typeof raw === 'object' && !Array.isArray(raw) && typeof raw.timestamp === 'string' ? raw.timestamp : '');
        if (!(now - at > this.maxAgeMs)) break;
        cut += 1;
      }
    }
    return cut;
  }
}

/**
 * The archive of a bus on `file`: the store's own when it keeps one (a database shared by
 * machines), JSON Lines beside the file on files. Retention on any other store is refused: an
 * archive in this machine's files would hide archived events from every other engine.
 */
function archiveFor(file: string, options: BusOptions, services: BusServices, retains: boolean): BusArchive {
  const { store } = services;
  if (store.eventArchive) {
    if (options.archivePath !== undefined) {
      throw new PreventionError(ErrorCodes.CONFIG_INVALID, `bus archivePath is for files: the ${store.kind} store keeps the archive of ${file} itself. Remove archivePath`, { file });
    }
    return new StoreArchive(store.eventArchive, file, store.kind);
  }
  if (store.kind !== 'file' && retains) {
    throw new PreventionError(
      ErrorCodes.CONFIG_INVALID,
      `bus retention (maxEvents, maxAge) on ${file} needs an event archive, and the ${store.kind} store keeps none (DocumentStore.eventArchive): remove maxEvents and maxAge, or use a store that archives`,
      { file },
    );
  }
  return new EventArchive(services.fs, options.archivePath ?? archivePathFor(file));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where each event id of a live events array sits. */
function committedIds(events: readonly JsonValue[]): Map<string, number> {
  const at = new Map<string, number>();
  events.forEach((raw, i) => {
    const id = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw.id : undefined;
    if (typeof id === 'string') at.set(id, i);
  });
  return at;
}
