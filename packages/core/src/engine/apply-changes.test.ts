import { describe, expect, it } from 'vitest';
import type { JsonValue, Updater, WriteContext } from '../contract.js';
import { ErrorCodes, PreventionError, type ValidationIssue } from '../errors.js';
import { sha256Hex } from '../commit/sha256.js';
import { applyChanges, type ApplyEnvironment } from './apply-changes.js';
import { serializeDocument } from '../json/serialize-document.js';
import type { Change, ChangeOutcome } from './change.js';

const settle = { resolve: () => undefined, reject: () => undefined };
const outcomesOf = (...changes: Change[]): ChangeOutcome[] => changes.map((change) => ({ change, error: undefined }));
const commit = { signal: new AbortController().signal } as WriteContext;
const env = (overrides: Partial<ApplyEnvironment> = {}): ApplyEnvironment => ({
  file: '/p/a.json',
  settings: { maxDepth: 32, maxBytes: 1_000, indent: 0 },
  checks: [],
  commit,
  refuse: (issues: ValidationIssue[]) => new PreventionError(ErrorCodes.VALIDATION_FAILED, issues.map((i) => i.message).join('; '), { issues }),
  ...overrides,
});
const update = (updater: (draft: never) => unknown): Change => ({ kind: 'update', updater: updater as Updater, settle });
const replace = (document: unknown, condition?: { ifMatch?: string; ifNoneMatch?: '*' }): Change => ({ kind: 'replace', document, condition, settle });

describe('applyChanges, the change applier', () => {
  it('applies each change on the result of those before it, and serializes the result as written', async () => {
    const outcomes = outcomesOf(
      update((d: { n: number }) => void (d.n += 1)),
      replace({ n: 10 }),
      update((d: { n: number }) => ({ n: d.n * 2 })),
    );
    const applied = await applyChanges({ document: { n: 0 }, sha256: undefined }, outcomes, env());
    expect(applied?.document).toEqual({ n: 20 });
    expect(Buffer.from(applied!.content.bytes()).toString()).toBe('{"n":20}\n');
    expect(applied?.sha256).toBe(sha256Hex(serializeDocument({ n: 20 }, 0)));
    expect(outcomes.map((o) => o.error)).toEqual([undefined, undefined, undefined]);
  });

  it('fails a throwing, invalid or refused change alone, leaving nothing of it behind', async () => {
    const base = { list: [1] };
    const outcomes = outcomesOf(
      update((d: { list: number[] }) => {
        d.list.push(99);
        throw new Error('halfway');
      }),
      replace({ bad: Number.NaN }),
      replace({ banned: true }),
      update((d: { list: number[] }) => void d.list.push(2)),
    );
    const checks = [(doc: JsonValue) => ((doc as { banned?: boolean }).banned ? [{ path: '/banned', message: 'is banned' }] : [])];
    const applied = await applyChanges({ document: base, sha256: undefined }, outcomes, env({ checks }));
    expect(applied?.document).toEqual({ list: [1, 2] });
    expect(base).toEqual({ list: [1] });
    expect(outcomes.map((o) => o.error?.code)).toEqual([ErrorCodes.UPDATER_FAILED, ErrorCodes.VALIDATION_FAILED, ErrorCodes.VALIDATION_FAILED, undefined]);
  });

  it('builds nothing when no change applies, and fails every change of a result over maxBytes', async () => {
    expect(await applyChanges({ document: {}, sha256: undefined }, outcomesOf(replace({ x: undefined, y: () => 1 })), env())).toBeUndefined();
    const outcomes = outcomesOf(replace({ a: 'x'.repeat(600) }), update((d: { a: string }) => void (d.a += 'y'.repeat(600))));
    expect(await applyChanges({ document: {}, sha256: undefined }, outcomes, env())).toBeUndefined();
    expect(outcomes.map((o) => o.error?.issues[0]?.limit?.setting)).toEqual(['maxBytes', 'maxBytes']);
  });

  it('checks a condition against the version the earlier changes made, hashing it only when asked', async () => {
    const baseSha = sha256Hex(serializeDocument({ n: 0 }, 0));
    const outcomes = outcomesOf(
      replace({ n: 1 }, { ifMatch: baseSha }),
      replace({ n: 2 }, { ifMatch: baseSha }),
      replace({ n: 3 }, { ifMatch: sha256Hex(serializeDocument({ n: 1 }, 0)) }),
      replace({ n: 4 }, { ifNoneMatch: '*' }),
    );
    const applied = await applyChanges({ document: { n: 0 }, sha256: baseSha }, outcomes, env());
    expect(applied?.document).toEqual({ n: 3 });
    expect(outcomes.map((o) => o.error?.code)).toEqual([undefined, ErrorCodes.PRECONDITION_FAILED, undefined, ErrorCodes.PRECONDITION_FAILED]);
    const created = outcomesOf(replace({ n: 1 }, { ifNoneMatch: '*' }));
    expect((await applyChanges({ document: {}, sha256: undefined }, created, env()))?.document).toEqual({ n: 1 });
  });

  it('stops at an aborted commit', async () => {
    const controller = new AbortController();
    controller.abort(new Error('lock lost'));
    await expect(applyChanges({ document: {}, sha256: undefined }, outcomesOf(replace({})), env({ commit: { signal: controller.signal } as WriteContext }))).rejects.toThrow('lock lost');
  });
});
