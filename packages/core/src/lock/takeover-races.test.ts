import { mkdirSync, renameSync, rmdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import { ErrorCodes } from '../errors.js';
import { definePlugin } from '../plugin/plugin.js';
import { InstrumentedFileSystem } from '../testing/instrumented-file-system.js';
import { tempDir } from '../__tests__/helpers.js';

const STALE_MS = 2000;

async function setup() {
  const dir = await tempDir();
  const file = path.join(dir, 'data.json');
  const instrumented = new InstrumentedFileSystem();
  const engine = await createEngine({ cwd: dir, config: false, fileSystem: instrumented.fs, logger: { level: 'silent' }, lock: { staleMs: STALE_MS, timeoutMs: 2500 } });
  return { file, lockPath: `${file}.lock`, instrumented, engine };
}

/** Contenders racing around a lock judged stale, played out at the FileSystem port. */
describe('lock takeover races', () => {
  it('a stale lock replaced by a live one between the judgement and the removal is not removed: the writer waits for it', async () => {
    const { file, lockPath, instrumented, engine } = await setup();
    await mkdir(lockPath);
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(lockPath, anHourAgo, anHourAgo);
    // Another contender takes the stale lock over just before this one removes it.
    let live: bigint | undefined;
    instrumented.inject({
      when: (call) => call.op === 'lstat' && call.path === lockPath,
      before: () => {
        rmdirSync(lockPath);
        mkdirSync(lockPath);
        live = statSync(lockPath, { bigint: true }).ino;
      },
      times: 1,
    });
    const keepFresh = setInterval(() => utimesSync(lockPath, new Date(), new Date()), 200);
    try {
      await expect(engine.write(file, { v: 1 })).rejects.toMatchObject({ code: ErrorCodes.LOCK_TIMEOUT });
    } finally {
      clearInterval(keepFresh);
    }
    // The live contender's lock is still there: this writer never held the lock beside it.
    expect(live).toBeDefined();
    expect((await stat(lockPath, { bigint: true })).ino).toBe(live);
    await engine.close();
  });

  /** A lock left an hour ago by a dead holder, and the stale takeovers the engine reports. */
  async function withDeadHoldersLock() {
    const context = await setup();
    await mkdir(context.lockPath);
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(context.lockPath, anHourAgo, anHourAgo);
    const recovered: Array<{ ageMs: number }> = [];
    context.engine.on('lock:stale-recovered', (event) => recovered.push(event));
    return { ...context, recovered };
  }

  it('a stale lock this process removed is reported once by it, even when another contender then takes the lock first', async () => {
    const { file, lockPath, instrumented, engine, recovered } = await withDeadHoldersLock();
    // Right after this writer removes the stale lock, another contender makes its own, holds it
    // briefly and releases it; this writer then takes the lock the ordinary way.
    let removed = false;
    instrumented.inject({ when: (call) => call.op === 'rmdir' && call.path === lockPath, result: (value) => ((removed = true), value), times: 1 });
    instrumented.inject({
      when: (call) => removed && call.op === 'mkdir' && call.path === lockPath,
      before: () => {
        mkdirSync(lockPath);
        setTimeout(() => rmdirSync(lockPath), 100);
      },
      times: 1,
    });
    await engine.write(file, { v: 1 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 1 });
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.ageMs).toBeGreaterThan(STALE_MS);
    await engine.close();
  });

  it('a stale lock another contender removed just before this one could is reported by that contender, not this one', async () => {
    const { file, lockPath, instrumented, engine, recovered } = await withDeadHoldersLock();
    instrumented.inject({ when: (call) => call.op === 'lstat' && call.path === lockPath, before: () => rmdirSync(lockPath), times: 1 });
    await engine.write(file, { v: 1 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 1 });
    expect(recovered).toEqual([]);
    await engine.close();
  });

  // A contender that had judged an older lock stale removes the one just made. The first lock a
  // locker takes is probed with a utimes (for the file system's mtime precision) before the usual
  // stat, so the removal can land on either.
  it.each(['utimes', 'stat'] as const)('a lock removed right after this process made it (at its %s) is taken again, not reported as an I/O failure', async (op) => {
    const { file, lockPath, instrumented, engine } = await setup();
    let made = false;
    instrumented.inject({ when: (call) => call.op === 'mkdir' && call.path === lockPath, result: (value) => ((made = true), value), times: 1 });
    instrumented.inject({ when: (call) => made && call.op === op && call.path === lockPath, before: () => rmdirSync(lockPath), times: 1 });
    await engine.write(file, { v: 1 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 1 });
    expect(instrumented.calls.filter((c) => c.op === 'mkdir' && c.path === lockPath).length).toBe(2);
    await engine.close();
  });
});

/**
 * An engine holding `{ v: 1 }` whose next commit runs `takeOver` right after its rename, before
 * it reads its commit back: another process takes the lock over there.
 */
async function takenOverAfterRename(takeOver: (paths: { file: string; lockPath: string }) => void) {
  const context = await setup();
  const { file, instrumented, engine } = context;
  await engine.write(file, { v: 1 });
  let renamed = false;
  instrumented.inject({ when: (call) => call.op === 'rename' && call.args[1] === file, result: (value) => ((renamed = true), value), times: 1 });
  instrumented.inject({ when: (call) => renamed && call.op === 'open' && call.path === file, before: () => takeOver(context), times: 1 });
  return context;
}

/** The new holder's commit, renamed into place as a process outside this engine would. */
function commitAsNewHolder(file: string): void {
  writeFileSync(`${file}.next`, '{"v":3,"by":"new holder"}\n');
  renameSync(`${file}.next`, file);
}

describe('a holder starved past the stale threshold after its rename', () => {
  const takeovers: Record<string, (lockPath: string) => void> = {
    // The new holder's lock carries its own, later mtime.
    'whoever took the lock over': (lockPath) => {
      const later = new Date(Date.now() + 5000);
      utimesSync(lockPath, later, later);
    },
    // This holder's refresh stats its lock, the lock is taken over, and the refresh's utimes then
    // lands on the new holder's lock: the lock's mtime alone says it is still this holder's.
    "a new holder whose lock carries this holder's mtime": (lockPath) => {
      const { mtime } = statSync(lockPath);
      rmdirSync(lockPath);
      mkdirSync(lockPath);
      utimesSync(lockPath, mtime, mtime);
    },
  };

  it.each(Object.keys(takeovers))('does not put its previous version back over the commit of %s', async (takeover) => {
    const { file, engine } = await takenOverAfterRename(({ file, lockPath }) => {
      takeovers[takeover]!(lockPath);
      commitAsNewHolder(file);
    });
    await expect(engine.write(file, { v: 2 })).rejects.toMatchObject({ code: ErrorCodes.LOCK_COMPROMISED });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 3, by: 'new holder' });
    await engine.close();
  });
});

describe('a holder whose lock was taken over after its rename', () => {
  it("leaves the new holder's lock in place when it releases", async () => {
    let theirs: bigint | undefined;
    const { file, lockPath, engine } = await takenOverAfterRename(({ lockPath }) => {
      // A takeover comes well after the lock was made, never within the same clock tick.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      rmdirSync(lockPath);
      mkdirSync(lockPath);
      theirs = statSync(lockPath, { bigint: true }).birthtimeNs;
    });
    // The commit was renamed while this holder still held the lock, so it stands.
    await engine.write(file, { v: 2 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 2 });
    expect(theirs).toBeDefined();
    expect((await stat(lockPath, { bigint: true })).birthtimeNs).toBe(theirs);
    await engine.close();
  });
});

describe('a second writer under a held lock', () => {
  /** An engine whose `outside` step lets a test write the file between the load and the rename. */
  async function withOutsideWriter(write: (file: string) => void) {
    const dir = await tempDir();
    const file = path.join(dir, 'data.json');
    let armed = false;
    const plugin = definePlugin({
      name: 'outside-writer',
      register: (api) =>
        api.addMiddleware({
          name: 'outside',
          handle: async (ctx, next) => {
            await ctx.prepare();
            if (armed) write(ctx.file);
            armed = false;
            return next();
          },
        }),
    });
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, plugins: [plugin()], pipeline: ['lock', 'validate', 'outside', 'atomic-commit', 'verify'] });
    return { file, engine, arm: () => (armed = true) };
  }

  it('is detected before the rename: the commit is refused typed and the other write is kept', async () => {
    const { file, engine, arm } = await withOutsideWriter((target) => writeFileSync(target, '{"outside":true}\n'));
    await engine.write(file, { v: 1 });
    arm();
    await expect(engine.write(file, { v: 2 })).rejects.toMatchObject({ code: ErrorCodes.LOCK_COMPROMISED });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ outside: true });
    await engine.write(file, { v: 3 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 3 });
    await engine.close();
  });

  it('is detected when it created a file this commit found absent', async () => {
    const { file, engine, arm } = await withOutsideWriter((target) => writeFileSync(target, '{"first":true}\n'));
    arm();
    await expect(engine.write(file, { v: 1 })).rejects.toMatchObject({ code: ErrorCodes.LOCK_COMPROMISED });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ first: true });
    await engine.close();
  });
});
