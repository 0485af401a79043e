import type { Next, Middleware, WriteContext } from '../contract.js';

/**
 * `validate`: adds the file's JSON Schema to the checks every candidate document must pass,
 * then prepares the commit. Structure (plain JSON, depth, prototype keys) and the size limit are
 * always enforced, with or without this step, since they are what makes a document safe to write.
 */
export class ValidateMiddleware implements Middleware {
  readonly name = 'validate';

  async handle(ctx: WriteContext, next: Next): Promise<void> {
    const schema = ctx.settings.schema;
    if (schema) ctx.addCheck((document) => schema(document));
    await ctx.prepare();
    await next();
  }
}
