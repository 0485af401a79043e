import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Middleware, WritePhase } from '../contract.js';
import { ErrorCodes } from '../errors.js';
import { TempDirs } from '../testing/temp-dirs.js';
import { createEngine } from './create-engine.js';

const dirs = new TempDirs();
afterEach(() => dirs.removeAll());

const banned = (doc: unknown) => ((doc as { banned?: boolean }).banned ? [{ path: '/banned', message: 'is banned' }] : []);

describe('the phases of a commit', () => {
  it('moves through open, loaded, prepared, committed and verified, in order', async () => {
    const dir = await dirs.make();
    const seen: WritePhase[] = [];
    const spy = (name: string): Middleware => ({
      name,
      handle: async (ctx, next) => {
        seen.push(ctx.phase);
        await next();
        seen.push(ctx.phase);
      },
    });
    const engine = await createEngine({ cwd: dir, config: false, pipeline: [spy('outer'), 'lock', 'validate', spy('prepared'), 'atomic-commit', spy('inner'), 'verify'] });
    await engine.write('a.json', { a: 1 });
    expect(seen).toEqual(['open', 'prepared', 'committed', 'verified', 'verified', 'verified']);
    await engine.close();
  });

  it('refuses a check added once the documents were checked (it used to be ignored, and the banned document committed)', async () => {
    const dir = await dirs.make();
    const late: Middleware = { name: 'late-ban', handle: (ctx, next) => (ctx.addCheck(banned), next()) };
    const plain = await createEngine({ cwd: dir, config: false });
    await plain.write('a.json', { banned: false });
    await plain.close();
    const engine = await createEngine({ cwd: dir, config: false, pipeline: ['lock', 'validate', late, 'atomic-commit', 'verify'] });
    const before = await readFile(path.join(dir, 'a.json'));
    await expect(engine.write('a.json', { banned: true })).rejects.toMatchObject({ code: ErrorCodes.MIDDLEWARE_FAILED, details: { phase: 'prepared' } });
    expect(await readFile(path.join(dir, 'a.json'))).toEqual(before);
    await engine.close();
  });

  it('applies a check added before the commit is prepared', async () => {
    const dir = await dirs.make();
    const early: Middleware = { name: 'early-ban', handle: (ctx, next) => (ctx.addCheck(banned), next()) };
    const engine = await createEngine({ cwd: dir, config: false, pipeline: [early, 'lock', 'validate', 'atomic-commit', 'verify'] });
    await expect(engine.write('a.json', { banned: true })).rejects.toMatchObject({ code: ErrorCodes.VALIDATION_FAILED });
    await engine.write('a.json', { banned: false });
    await engine.close();
  });

  it('refuses a step that marks a commit committed out of order, writing nothing', async () => {
    const dir = await dirs.make();
    const forger: Middleware = { name: 'forger', handle: (ctx, next) => (ctx.markCommitted({ token: 'x', attributes: undefined, size: 0 }), next()) };
    const engine = await createEngine({ cwd: dir, config: false, pipeline: ['lock', forger, 'validate', 'atomic-commit'] });
    await expect(engine.write('a.json', { a: 1 })).rejects.toMatchObject({ code: ErrorCodes.MIDDLEWARE_FAILED, details: { phase: 'open' } });
    await expect(readFile(path.join(dir, 'a.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    await engine.close();
  });
});
