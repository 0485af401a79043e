import { createRequire } from 'node:module';
import type * as Tsyringe from 'tsyringe';

let tsyringe: typeof Tsyringe | undefined;

/**
 * tsyringe's root container, for `createEngine`. Loaded on first use, so importing the package
 * (an agent process that only reads, or the contract's users) does not pay for it.
 *
 * tsyringe and reflect-metadata are CommonJS, and are required rather than imported: Node's
 * `import` of a CommonJS package also parses it and every module it re-exports for their export
 * names, which for tsyringe's 34 modules took about three times as long as requiring them (~50 ms
 * against ~16 ms). reflect-metadata goes first: tsyringe refuses to load without the Reflect API.
 */
export function rootContainer(): Tsyringe.DependencyContainer {
  if (!tsyringe) {
    const require = createRequire(import.meta.url);
    require('reflect-metadata');
    tsyringe = require('tsyringe') as typeof Tsyringe;
  }
  return tsyringe.container;
}
