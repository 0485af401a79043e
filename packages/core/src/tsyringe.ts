import { createRequire } from 'node:module';
import type * as Tsyringe from 'tsyringe';

// tsyringe and reflect-metadata are CommonJS, and are required here rather than imported: Node's
// `import` of a CommonJS package also parses it and every module it re-exports for their export
// names, which for tsyringe's 34 modules took about three times as long as requiring them
// (~50 ms against ~16 ms, of an import of this package that now takes well under 100 ms).
// reflect-metadata goes first: tsyringe refuses to load without the Reflect API.
const require = createRequire(import.meta.url);
require('reflect-metadata');
const tsyringe = require('tsyringe') as typeof Tsyringe;

/** tsyringe's root container, for `createEngine`; import it from here. */
export const { container } = tsyringe;
