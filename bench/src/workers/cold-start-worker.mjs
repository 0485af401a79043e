/**
 * One cold start: a fresh process that imports @prevention/core and creates an engine from the
 * config file in the directory given, then prints how long each step took, as JSON.
 */
import { performance } from 'node:perf_hooks';

const cwd = process.argv[2];
const importStart = performance.now();
const { createEngine } = await import('@prevention/core');
const importMs = performance.now() - importStart;
const createStart = performance.now();
const engine = await createEngine({ cwd, logger: { level: 'silent' } });
const createMs = performance.now() - createStart;
await engine.close();
process.stdout.write(JSON.stringify({ sinceProcessStartMs: performance.now(), importMs, createMs }));
