import type { Handler, Next } from '../contract.js';
import { ErrorCodes, PreventionError } from '../errors.js';

/**
 * Composes handlers into one, koa-compose style. Rejects anything that is not a function up
 * front, and a handler that calls `next()` twice gets `PREVENTION_MIDDLEWARE_FAILED`, since a
 * second pass through the rest of the chain would commit twice.
 *
 * @param handlers the chain, outermost first
 * @param names optional names, used in error messages
 */
export function compose<C>(handlers: ReadonlyArray<Handler<C>>, names: readonly string[] = []): (ctx: C, last?: Next) => Promise<void> {
  if (!Array.isArray(handlers)) {
    throw new PreventionError(ErrorCodes.MIDDLEWARE_FAILED, 'compose() takes an array of middleware functions');
  }
  handlers.forEach((handler, i) => {
    if (typeof handler !== 'function') {
      throw new PreventionError(
        ErrorCodes.MIDDLEWARE_FAILED,
        `middleware #${i}${names[i] ? ` "${names[i]}"` : ''} is not a function (got ${handler === null ? 'null' : typeof handler})`,
      );
    }
  });
  return (ctx, last) => {
    let reached = -1;
    const dispatch = async (i: number): Promise<void> => {
      if (i <= reached) {
        const name = names[i - 1] ?? `#${i - 1}`;
        throw new PreventionError(ErrorCodes.MIDDLEWARE_FAILED, `middleware "${name}" called next() more than once`);
      }
      reached = i;
      const handler = i === handlers.length ? last : handlers[i];
      if (!handler) return;
      await handler(ctx, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}
