import { describe, expect, it } from 'vitest';
import type { Handler } from '../contract.js';
import { ErrorCodes } from '../errors.js';
import { compose } from './compose.js';

describe('compose', () => {
  it('runs handlers onion-style', async () => {
    const trace: string[] = [];
    const step = (name: string): Handler<string[]> => async (ctx, next) => {
      ctx.push(`${name} in`);
      await next();
      ctx.push(`${name} out`);
    };
    await compose([step('a'), step('b')])(trace);
    expect(trace).toEqual(['a in', 'b in', 'b out', 'a out']);
  });

  it('refuses anything that is not a function, naming it', () => {
    expect(() => compose([async () => undefined, 'nope' as unknown as Handler<unknown>], ['ok', 'broken'])).toThrow(
      expect.objectContaining({ code: ErrorCodes.MIDDLEWARE_FAILED, message: expect.stringContaining('"broken"') }),
    );
  });

  it('rejects a second next() call', async () => {
    const twice: Handler<unknown> = async (_ctx, next) => {
      await next();
      await next();
    };
    let inner = 0;
    const run = compose([twice, async () => void inner++], ['twice', 'inner']);
    await expect(run({})).rejects.toMatchObject({ code: ErrorCodes.MIDDLEWARE_FAILED, message: expect.stringContaining('"twice" called next() more than once') });
    expect(inner).toBe(1);
  });

  it('propagates errors to outer handlers', async () => {
    const seen: unknown[] = [];
    const outer: Handler<unknown> = async (_ctx, next) => {
      try {
        await next();
      } catch (err) {
        seen.push(err);
        throw err;
      }
    };
    const boom = new Error('boom');
    await expect(compose([outer, () => Promise.reject(boom)])({})).rejects.toBe(boom);
    expect(seen).toEqual([boom]);
  });
});
