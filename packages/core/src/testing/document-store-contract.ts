import assert from 'node:assert/strict';
import type { DocumentStore, LockHandle, StoredVersion } from '../contract.js';
import { ErrorCodes, isPreventionError } from '../errors.js';

/** A store under test, with a document name in it that does not exist yet. */
export interface StoreUnderTest {
  store: DocumentStore;
  name: string;
  /**
   * A second, independent store on the same storage, as another process (or machine) would open
   * it: the lock must exclude its holders from this store's. (Within one engine the engine's own
   * mutex orders holders; the store's lock is what excludes the others.)
   */
  another(): DocumentStore;
  /** Releases what `make` set up (a directory, a database schema). */
  cleanup?(): Promise<void>;
}

/** How the contract suite gets fresh stores. */
export interface StoreContractHarness {
  /** A fresh store and an unused document name; called once per test. */
  make(): Promise<StoreUnderTest>;
}

/** The test-registering function of the runner in use (vitest's or node:test's `it`/`test`). */
export type RegisterTest = (name: string, fn: () => Promise<void>) => void;

const LOCK = { timeoutMs: 5_000, staleMs: 10_000 };
const bytesOf = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const textOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isPreventionError(err), `expected a PreventionError ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

async function contentOf(store: DocumentStore, name: string): Promise<string | undefined> {
  const found = await store.load(name);
  if (!found) return undefined;
  assert.ok('bytes' in found, 'load without `unless` returns the content');
  return textOf(found.bytes);
}

async function loaded(store: DocumentStore, name: string): Promise<StoredVersion> {
  const found = await store.load(name);
  assert.ok(found && 'bytes' in found, `${name} should exist`);
  return found;
}

/**
 * The contract every {@link DocumentStore} keeps, as tests: run it with the store's harness and
 * the runner's test function, for example
 *
 * ```ts
 * documentStoreContract({ make: async () => { const store = new MemoryStore(); return { store, name: 'doc.json', another: () => store }; } }, it);
 * ```
 *
 * Each test states one invariant of the port's documentation; a store that breaks it fails.
 */
export function documentStoreContract(harness: StoreContractHarness, test: RegisterTest): void {
  const run = (name: string, body: (store: DocumentStore, doc: string, another: () => DocumentStore) => Promise<void>): void =>
    test(name, async () => {
      const { store, name: doc, another, cleanup } = await harness.make();
      try {
        await store.prepare(doc);
        await body(store, doc, another);
      } finally {
        await cleanup?.();
      }
    });

  const withLock = async <T>(store: DocumentStore, doc: string, body: (lock: LockHandle) => Promise<T>): Promise<T> => {
    const lock = await store.lock(doc, LOCK);
    try {
      return await body(lock);
    } finally {
      await lock.release();
    }
  };

  run('a document that was never written does not exist', async (store, doc) => {
    assert.equal(await store.head(doc), undefined);
    assert.equal(await store.load(doc), undefined);
    assert.equal(await store.lastRecord(doc), undefined);
  });

  run('commits a new document and reads it back whole, with the token the commit returned', async (store, doc) => {
    const commit = await withLock(store, doc, (lock) => store.commit(doc, bytesOf('{"n":1}\n'), { expected: null, previous: undefined, lock }));
    assert.equal(commit.size, 8);
    const version = await loaded(store, doc);
    assert.equal(textOf(version.bytes), '{"n":1}\n');
    assert.equal(version.token, commit.token);
    assert.equal((await store.head(doc))?.token, commit.token);
    assert.equal(textOf(await store.readBack(doc)), '{"n":1}\n');
    assert.equal(textOf(await store.readBack(doc, { from: 5 })), '1}\n');
  });

  run('commits a version that keeps the start of the one it replaces exactly as given', async (store, doc) => {
    const first = await withLock(store, doc, (lock) => store.commit(doc, bytesOf('{"events":[1,2,3]}\n'), { expected: null, previous: undefined, lock }));
    const previous = await loaded(store, doc);
    assert.equal(previous.token, first.token);
    const next = '{"events":[1,2,3,4]}\n';
    await withLock(store, doc, (lock) => store.commit(doc, bytesOf(next), { expected: previous.token, previous, lock, unchangedPrefix: 16 }));
    assert.equal(textOf((await loaded(store, doc)).bytes), next);
    assert.equal(textOf(await store.readBack(doc, { from: 16 })), ',4]}\n');
  });

  run('gives every committed version a fresh token, even for the same bytes', async (store, doc) => {
    const tokens = new Set<string>();
    await withLock(store, doc, async (lock) => {
      let expected: string | null = null;
      for (let i = 0; i < 5; i++) {
        const commit = await store.commit(doc, bytesOf('same\n'), { expected, previous: undefined, lock });
        tokens.add(commit.token);
        expected = commit.token;
      }
    });
    assert.equal(tokens.size, 5);
  });

  run('returns only the head for the version named by `unless`, the content for any other', async (store, doc) => {
    const first = await withLock(store, doc, (lock) => store.commit(doc, bytesOf('a\n'), { expected: null, previous: undefined, lock }));
    const same = await store.load(doc, { unless: first.token });
    assert.ok(same && !('bytes' in same));
    assert.equal(same.token, first.token);
    const other = await store.load(doc, { unless: 'not-a-token' });
    assert.ok(other && 'bytes' in other);
    assert.equal(textOf(other.bytes), 'a\n');
  });

  run('refuses a commit whose expected version no longer holds, and keeps the other version', async (store, doc) => {
    await withLock(store, doc, async (lock) => {
      const first = await store.commit(doc, bytesOf('first\n'), { expected: null, previous: undefined, lock });
      const second = await store.commit(doc, bytesOf('second\n'), { expected: first.token, previous: undefined, lock });
      await rejectsWith(store.commit(doc, bytesOf('stale\n'), { expected: first.token, previous: undefined, lock }), ErrorCodes.LOCK_COMPROMISED);
      await rejectsWith(store.commit(doc, bytesOf('as new\n'), { expected: null, previous: undefined, lock }), ErrorCodes.LOCK_COMPROMISED);
      assert.equal(await contentOf(store, doc), 'second\n');
      assert.equal((await store.head(doc))?.token, second.token);
    });
  });

  run('refuses a commit with a lock that is no longer held, and one that was aborted', async (store, doc, another) => {
    const lock = await store.lock(doc, LOCK);
    const first = await store.commit(doc, bytesOf('first\n'), { expected: null, previous: undefined, lock });
    await lock.release();
    await rejectsWith(store.commit(doc, bytesOf('late\n'), { expected: first.token, previous: undefined, lock }), ErrorCodes.LOCK_COMPROMISED);
    // Another holder has it now: the old handle is no better.
    await withLock(another(), doc, async (current) => {
      await rejectsWith(store.commit(doc, bytesOf('late\n'), { expected: first.token, previous: undefined, lock }), ErrorCodes.LOCK_COMPROMISED);
      const controller = new AbortController();
      controller.abort(new Error('stop'));
      await assert.rejects(store.commit(doc, bytesOf('aborted\n'), { expected: first.token, previous: undefined, lock: current, signal: controller.signal }), /stop/);
    });
    assert.equal(await contentOf(store, doc), 'first\n');
  });

  run('makes a version visible only once the work it waits for (`ready`) is done, and not at all when that fails', async (store, doc) => {
    await withLock(store, doc, async (lock) => {
      const first = await store.commit(doc, bytesOf('first\n'), { expected: null, previous: undefined, lock });
      let finish!: () => void;
      let seen: string | undefined = 'not asked';
      const waited = store.commit(doc, bytesOf('second\n'), {
        expected: first.token,
        previous: undefined,
        lock,
        ready: async () => {
          seen = await contentOf(store, doc);
          await new Promise<void>((resolve) => (finish = resolve));
        },
      });
      let settled = false;
      void waited.then(
        () => (settled = true),
        () => (settled = true),
      );
      // A store that never asks settles the commit first, and fails below.
      while (seen === 'not asked' && !settled) await new Promise((resolve) => setTimeout(resolve, 1));
      assert.equal(seen, 'first\n', 'the new version is not visible while `ready` runs');
      assert.equal(await contentOf(store, doc), 'first\n');
      finish();
      const second = await waited;
      assert.equal(await contentOf(store, doc), 'second\n');
      await assert.rejects(
        store.commit(doc, bytesOf('refused\n'), { expected: second.token, previous: undefined, lock, ready: () => Promise.reject(new Error('the backup failed')) }),
        /the backup failed/,
      );
      assert.equal(await contentOf(store, doc), 'second\n');
      assert.equal((await store.head(doc))?.token, second.token);
    });
  });

  run('reads a commit back whole or from an offset, into a buffer it is lent or its own', async (store, doc) => {
    await withLock(store, doc, (lock) => store.commit(doc, bytesOf('kept as written\n'), { expected: null, previous: undefined, lock }));
    // Too small to use, large enough (filled with other bytes), none.
    for (const into of [new Uint8Array(3), Buffer.alloc(64, 0x78), undefined]) {
      assert.equal(Buffer.from(await store.readBack(doc, { into })).toString(), 'kept as written\n');
      assert.equal(Buffer.from(await store.readBack(doc, { from: 5, into })).toString(), 'as written\n');
    }
  });

  run('lets one holder in at a time: a second waits for the release, or times out', async (store, doc, another) => {
    const order: string[] = [];
    const other = another();
    const first = await store.lock(doc, LOCK);
    await rejectsWith(other.lock(doc, { timeoutMs: 300, staleMs: 10_000 }), ErrorCodes.LOCK_TIMEOUT);
    const second = other.lock(doc, LOCK).then((lock) => {
      order.push('second acquired');
      return lock;
    });
    order.push('first releases');
    await first.release();
    const lock = await second;
    assert.deepEqual(order, ['first releases', 'second acquired']);
    await rejectsWith(first.assertHeld(), ErrorCodes.LOCK_COMPROMISED);
    await lock.assertHeld();
    // The second store sees the first's commits: they share the storage.
    const commit = await other.commit(doc, bytesOf('from the other\n'), { expected: null, previous: undefined, lock });
    assert.equal((await store.head(doc))?.token, commit.token);
    await lock.release();
  });

  run('reverts to the previous version, or removes a document the commit created', async (store, doc) => {
    await withLock(store, doc, async (lock) => {
      const created = await store.commit(doc, bytesOf('one\n'), { expected: null, previous: undefined, lock });
      await store.revert(doc, created, undefined, lock);
      assert.equal(await store.load(doc), undefined);
      const one = await store.commit(doc, bytesOf('one\n'), { expected: null, previous: undefined, lock });
      const previous = await loaded(store, doc);
      const two = await store.commit(doc, bytesOf('two\n'), { expected: one.token, previous, lock });
      await store.revert(doc, two, previous, lock);
      assert.equal(await contentOf(store, doc), 'one\n');
      // The version put back is a new version: a token handed out for "two" must not match it.
      assert.notEqual((await store.head(doc))?.token, two.token);
    });
  });

  run('never reverts over a version written after the one being undone', async (store, doc) => {
    await withLock(store, doc, async (lock) => {
      const one = await store.commit(doc, bytesOf('one\n'), { expected: null, previous: undefined, lock });
      const previous = await loaded(store, doc);
      const two = await store.commit(doc, bytesOf('two\n'), { expected: one.token, previous, lock });
      await store.commit(doc, bytesOf('three\n'), { expected: two.token, previous: undefined, lock });
      await rejectsWith(store.revert(doc, two, previous, lock), ErrorCodes.LOCK_COMPROMISED);
      assert.equal(await contentOf(store, doc), 'three\n');
    });
  });

  run('keeps the commit record of the last verified commit', async (store, doc) => {
    await withLock(store, doc, async (lock) => {
      const one = await store.commit(doc, bytesOf('one\n'), { expected: null, previous: undefined, lock });
      await store.record(doc, { ...one, sha256: 'a'.repeat(64) });
      const two = await store.commit(doc, bytesOf('two\n'), { expected: one.token, previous: undefined, lock });
      await store.record(doc, { ...two, sha256: 'b'.repeat(64) });
    });
    const last = await store.lastRecord(doc);
    assert.equal(last?.sha256, 'b'.repeat(64));
    assert.equal(last?.size, 4);
  });

  run('quarantines bytes without touching the document', async (store, doc) => {
    await withLock(store, doc, (lock) => store.commit(doc, bytesOf('kept\n'), { expected: null, previous: undefined, lock }));
    const where = await store.quarantine(doc, bytesOf('bad'), 'corrupt');
    assert.equal(typeof where, 'string');
    assert.ok(where.length > 0);
    assert.equal(await contentOf(store, doc), 'kept\n');
  });

  run('an event archive (if the store keeps one) holds what committed versions moved out, and nothing of a refused or reverted commit', async (store, doc) => {
    const archive = store.eventArchive;
    if (!archive) return;
    const leaving = (seqs: number[]) => seqs.map((seq) => ({ seq, event: { id: `e${seq}`, seq, payload: { text: 'ü', order: { b: 1, a: 2 } } } }));
    const seqsOf = async () => (await archive.read(doc, 0, Infinity)).map((row) => row.seq);
    assert.equal(await archive.lastSeq(doc), 0);
    await withLock(store, doc, async (lock) => {
      const one = await store.commit(doc, bytesOf('one\n'), { expected: null, previous: undefined, lock, archive: leaving([1, 2]) });
      await rejectsWith(store.commit(doc, bytesOf('stale\n'), { expected: null, previous: undefined, lock, archive: leaving([3]) }), ErrorCodes.LOCK_COMPROMISED);
      assert.deepEqual(await seqsOf(), [1, 2]);
      const previous = await loaded(store, doc);
      const two = await store.commit(doc, bytesOf('two\n'), { expected: one.token, previous, lock, archive: leaving([3, 4]) });
      assert.equal(await archive.lastSeq(doc), 4);
      await store.revert(doc, two, previous, lock);
    });
    assert.deepEqual(await seqsOf(), [1, 2]);
    assert.equal(await archive.lastSeq(doc), 2);
    // Stored as given, key order and all, and read by range.
    assert.deepEqual(await archive.read(doc, 1, 2), []);
    const [first] = await archive.read(doc, 0, 2);
    assert.equal(JSON.stringify(first), JSON.stringify(leaving([1])[0]));
  });

  run('shows a reader only whole versions while commits go on', async (store, doc) => {
    const written = new Set<string>();
    let done = false;
    const reader = (async () => {
      const seen: string[] = [];
      while (!done) {
        const content = await contentOf(store, doc);
        if (content !== undefined) seen.push(content);
      }
      return seen;
    })();
    await withLock(store, doc, async (lock) => {
      let expected: string | null = null;
      for (let i = 0; i < 50; i++) {
        const text = `${JSON.stringify({ i, pad: 'x'.repeat(i * 97) })}\n`;
        written.add(text);
        expected = (await store.commit(doc, bytesOf(text), { expected, previous: undefined, lock })).token;
      }
    });
    done = true;
    for (const content of await reader) assert.ok(written.has(content), `a reader saw a version never committed (${content.length} bytes)`);
  });
}
