import { constants } from 'node:fs';
import path from 'node:path';
import { CLONE_MIN_PREFIX, createEngine } from '@prevention/core';
import { InstrumentedFileSystem } from '@prevention/core/testing';
import { describe, expect, it } from 'vitest';
import { canMountImage, mountImage } from '../support/cloning-fs.js';
import { crashStates, type CrashState, type TracedCall } from '../support/crash-states.js';
import { commitOver, eventsDocument, fileStoreOn, withEvent } from '../fixtures/tail-commits.mjs';
import { tempDir } from '../support/temp-dir.js';
import { printFigures, scaled } from '../support/torture.js';

const COMMITS = scaled(20, 200);

/** Commits `COMMITS` appends through a traced port; returns the trace and where each append was acknowledged. */
async function tracedRun(): Promise<{ file: string; trace: TracedCall[]; acks: Array<{ id: string; at: number }> }> {
  const dir = await tempDir('prevention-power-');
  const file = path.join(dir, 'data.json');
  const instrumented = new InstrumentedFileSystem();
  const trace: TracedCall[] = [];
  instrumented.inject({ when: () => true, times: Infinity, result: (result, call) => (trace.push({ ...call, result }), result) });
  const engine = await createEngine({ cwd: dir, config: false, initial: { events: [] }, logger: { level: 'silent' }, fileSystem: instrumented.fs });
  const acks: Array<{ id: string; at: number }> = [];
  for (let n = 1; n <= COMMITS; n++) {
    await engine.update<{ events: Array<{ id: string }> }>(file, (draft) => void draft.events.push({ id: `power:${n}` }));
    acks.push({ id: `power:${n}`, at: trace.length });
  }
  await engine.close();
  return { file, trace, acks };
}

/**
 * The same on a mount that clones: a document just above the clone threshold, then tail-only
 * commits through a FileStore, each cloning the file and writing only its appended event.
 */
async function tracedCloneRun(): Promise<{ file: string; trace: TracedCall[]; acks: Array<{ id: string; at: number }> }> {
  const file = path.join(await mountImage('xfs'), 'data.json');
  const instrumented = new InstrumentedFileSystem();
  const trace: TracedCall[] = [];
  instrumented.inject({ when: () => true, times: Infinity, result: (result, call) => (trace.push({ ...call, result }), result) });
  const store = fileStoreOn(instrumented.fs);
  let bytes = eventsDocument(CLONE_MIN_PREFIX + 4096);
  await commitOver(store, file, bytes, 0);
  const acks: Array<{ id: string; at: number }> = [];
  for (let n = 1; n <= COMMITS; n++) {
    const { next, prefix } = withEvent(bytes, `power:${n}`);
    await commitOver(store, file, next, prefix);
    acks.push({ id: `power:${n}`, at: trace.length });
    bytes = next;
  }
  expect(trace.filter((call) => call.op === 'cloneFile')).toHaveLength(COMMITS);
  return { file, trace, acks };
}

/** A skip that drops the fsync of every temp file made by a clone, and of no full write's temp. */
function cloneFsyncs(): (call: TracedCall) => boolean {
  const cloned = new Map<string, boolean>();
  return (call) => {
    if (call.op === 'cloneFile') cloned.set(call.args[1] as string, true);
    if (call.op === 'open' && ((call.args[1] as number) & constants.O_CREAT) !== 0) cloned.set(call.args[0] as string, false);
    return call.op === 'fsync' && call.path !== undefined && cloned.get(call.path) === true;
  };
}

/** States that do not parse or miss an append acknowledged before the crash. */
function violations(states: readonly CrashState[], acks: ReadonlyArray<{ id: string; at: number }>): string[] {
  const found: string[] = [];
  for (const state of states) {
    const acked = acks.filter((a) => a.at <= state.after).map((a) => a.id);
    const where = `power lost after call ${state.after} (${state.how})`;
    if (state.bytes === undefined) {
      if (acked.length > 0) found.push(`${where}: the file is gone, ${acked.length} acknowledged appends with it`);
      continue;
    }
    let ids: string[];
    try {
      ids = (JSON.parse(state.bytes.toString('utf8')) as { events: Array<{ id: string }> }).events.map((e) => e.id);
    } catch {
      found.push(`${where}: the file does not parse (${state.bytes.length} bytes)`);
      continue;
    }
    const missing = acked.filter((id) => !ids.includes(id));
    if (missing.length > 0) found.push(`${where}: acknowledged appends missing: ${missing.join(', ')}`);
  }
  return found;
}

describe('power-loss states: every on-disk state a crash can leave, if unsynced operations are lost', () => {
  it(`${COMMITS} commits: every state parses and holds every append acknowledged before the crash`, async () => {
    const { file, trace, acks } = await tracedRun();
    const states = crashStates(trace, file);
    const found = violations(states, acks);
    printFigures('power-loss states', { commits: COMMITS, portCalls: trace.length, crashPoints: trace.length + 1, states: states.length, lost: found.length, corrupt: found.filter((f) => f.includes('parse')).length });
    expect(found).toEqual([]);
  });

  // The model must be able to fail: drop one durability step from the trace, as if the commit
  // never made it, and it finds states that lose or tear acknowledged writes.
  it('finds lost or torn writes when the temp file is not fsynced before the rename', async () => {
    const { file, trace, acks } = await tracedRun();
    const withoutTempFsync = crashStates(trace, file, (call) => call.op === 'fsync' && call.path?.endsWith('.tmp') === true);
    const found = violations(withoutTempFsync, acks);
    printFigures('power-loss control, temp fsync removed', { states: withoutTempFsync.length, violations: found.length });
    expect(found.some((f) => f.includes('does not parse'))).toBe(true);
  });

  it('finds acknowledged writes undone when the directory is not fsynced after the rename', async () => {
    const { file, trace, acks } = await tracedRun();
    const withoutDirFsync = crashStates(trace, file, (call) => call.op === 'syncDirectory' && call.path === path.dirname(file));
    const found = violations(withoutDirFsync, acks);
    printFigures('power-loss control, directory fsync removed', { states: withoutDirFsync.length, violations: found.length });
    expect(found.some((f) => f.includes('missing') || f.includes('gone'))).toBe(true);
  });
});

describe.skipIf(!canMountImage('xfs'))('power-loss states of tail-only commits on XFS with reflink (loop-mounts an image: needs root)', () => {
  it(`${COMMITS} commits that clone the file: every state parses and holds every append acknowledged before the crash`, async () => {
    const { file, trace, acks } = await tracedCloneRun();
    const states = crashStates(trace, file);
    const found = violations(states, acks);
    printFigures('power-loss states, clone path', { commits: COMMITS, portCalls: trace.length, states: states.length, lost: found.length });
    expect(found).toEqual([]);
  });

  it('finds lost or torn writes when the clone is not fsynced before the rename', async () => {
    const { file, trace, acks } = await tracedCloneRun();
    const withoutCloneFsync = crashStates(trace, file, cloneFsyncs());
    const found = violations(withoutCloneFsync, acks);
    printFigures('power-loss control, clone fsync removed', { states: withoutCloneFsync.length, violations: found.length });
    expect(found.some((f) => f.includes('does not parse'))).toBe(true);
  });
});
