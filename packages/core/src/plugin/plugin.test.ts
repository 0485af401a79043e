import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Middleware } from '../contract.js';
import { createEngine } from '../engine/create-engine.js';
import { ErrorCodes } from '../errors.js';
import { tempDir } from '../__tests__/helpers.js';
import { definePlugin, serviceToken } from './plugin.js';

const AUDIT = serviceToken<{ seen: string[] }>('test.audit');

function auditPlugin(seen: string[]) {
  return definePlugin({
    name: 'audit',
    provides: AUDIT,
    register(api) {
      const audit: Middleware = {
        name: 'audit',
        async handle(ctx, next) {
          seen.push(`audit in: prepared=${ctx.bytes !== undefined} committed=${ctx.committed !== undefined}`);
          await next();
          seen.push(`audit out: committed=${ctx.committed !== undefined}`);
        },
      };
      api.addMiddleware(audit);
      return { seen };
    },
  });
}

describe('plugins', () => {
  it('add middleware that runs at its configured position', async () => {
    const dir = await tempDir();
    const seen: string[] = [];
    const engine = await createEngine({
      cwd: dir,
      config: false,
      plugins: [auditPlugin(seen)()],
      pipeline: ['lock', 'validate', 'audit', 'atomic-commit', 'verify'],
    });
    expect(await engine.pipeline('x.json')).toEqual(['lock', 'validate', 'audit', 'atomic-commit', 'verify']);
    await engine.write('x.json', { a: 1 });
    expect(seen).toEqual(['audit in: prepared=true committed=false', 'audit out: committed=true']);
    expect(engine.service(AUDIT)?.seen).toBe(seen);
    await engine.close();
  });

  it('insert placed middleware into pipelines that do not name it', async () => {
    const dir = await tempDir();
    const order: string[] = [];
    const plugin = definePlugin({
      name: 'journal',
      register(api) {
        api.addMiddleware(
          {
            name: 'journal',
            async handle(ctx, next) {
              order.push(`journal committed=${ctx.committed !== undefined}`);
              await next();
            },
          },
          { after: 'atomic-commit' },
        );
      },
    });
    const engine = await createEngine({ cwd: dir, config: false, plugins: [plugin()] });
    expect(await engine.pipeline('x.json')).toEqual(['lock', 'validate', 'atomic-commit', 'journal', 'verify']);
    await engine.write('x.json', {});
    expect(order).toEqual(['journal committed=true']);
    await engine.close();
  });

  it('a middleware calling next() twice fails the commit and leaves the file unchanged', async () => {
    const dir = await tempDir();
    const twice = definePlugin({
      name: 'twice',
      register(api) {
        api.addMiddleware({
          name: 'twice',
          async handle(_ctx, next) {
            await next();
            await next();
          },
        });
      },
    });
    const engine = await createEngine({ cwd: dir, config: false, plugins: [twice()], pipeline: ['lock', 'twice', 'validate', 'atomic-commit', 'verify'] });
    await expect(engine.write('x.json', { v: 1 })).rejects.toMatchObject({ code: ErrorCodes.MIDDLEWARE_FAILED, message: expect.stringContaining('"twice" called next() more than once') });
    await engine.close();
  });

  it('custom middleware objects can sit in the pipeline directly; an untyped throw becomes a typed error', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'x.json');
    const refuse: Middleware = { name: 'refuse-big', handle: async (ctx, next) => ((ctx.bytes?.length ?? 0) > 20 ? Promise.reject(new Error('too big for policy')) : next()) };
    const engine = await createEngine({ cwd: dir, config: false, pipeline: ['lock', 'validate', refuse, 'atomic-commit'] });
    await engine.write(file, { a: 1 });
    await expect(engine.write(file, { a: 'x'.repeat(50) })).rejects.toMatchObject({ code: ErrorCodes.MIDDLEWARE_FAILED, cause: { message: 'too big for policy' } });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ a: 1 });
    await engine.close();
  });

  it('are registered after their dependencies', async () => {
    const order: string[] = [];
    const a = definePlugin({ name: 'a', register: () => void order.push('a') });
    const b = definePlugin({ name: 'b', dependencies: ['a'], register: () => void order.push('b') });
    const engine = await createEngine({ config: false, plugins: [b(), a()] });
    expect(order).toEqual(['a', 'b']);
    await engine.close();
  });

  it('refuse duplicate names, missing dependencies and broken pipelines at start-up', async () => {
    const a = definePlugin({ name: 'a', register: () => undefined });
    const needsX = definePlugin({ name: 'needs-x', dependencies: ['x'], register: () => undefined });
    await expect(createEngine({ config: false, plugins: [a(), a()] })).rejects.toMatchObject({ code: ErrorCodes.PLUGIN_FAILED, message: expect.stringContaining('"a"') });
    await expect(createEngine({ config: false, plugins: [needsX()] })).rejects.toMatchObject({ code: ErrorCodes.PLUGIN_FAILED, message: expect.stringContaining('needs plugin "x"') });
    await expect(createEngine({ config: false, pipeline: ['lock', 'validate', 'verify'] })).rejects.toMatchObject({ code: ErrorCodes.PIPELINE_INVALID, message: expect.stringContaining('atomic-commit') });
    await expect(createEngine({ config: false, pipeline: ['atomic-commit', 'lock'] })).rejects.toMatchObject({ code: ErrorCodes.PIPELINE_INVALID });
    await expect(createEngine({ config: false, pipeline: ['lock', 'backup', 'atomic-commit'] })).rejects.toMatchObject({ code: ErrorCodes.PIPELINE_INVALID, message: expect.stringContaining('no backup strategy') });
    await expect(createEngine({ config: false, pipeline: ['lock', 'nope', 'atomic-commit'] })).rejects.toMatchObject({ code: ErrorCodes.PIPELINE_INVALID, message: expect.stringContaining('unknown middleware "nope"') });
  });

  it('two engines in one process share nothing', async () => {
    const dir = await tempDir();
    const seen: string[] = [];
    const one = await createEngine({ cwd: dir, config: false, plugins: [auditPlugin(seen)()] });
    const two = await createEngine({ cwd: dir, config: false });
    expect(one.service(AUDIT)?.seen).toBe(seen);
    expect(two.service(AUDIT)).toBeUndefined();
    await Promise.all([one.close(), two.close()]);
  });
});
