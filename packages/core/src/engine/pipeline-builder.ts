import type { PipelineEntry, Middleware, WriteContext } from '../contract.js';
import { ErrorCodes, PreventionError } from '../errors.js';
import { compose } from '../pipeline/compose.js';
import type { Contributions } from './contributions.js';

/** A composed pipeline and the names of its steps, in order. */
export interface Pipeline {
  names: string[];
  run(ctx: WriteContext): Promise<void>;
}

function invalid(message: string): PreventionError {
  return new PreventionError(ErrorCodes.PIPELINE_INVALID, `invalid pipeline: ${message}`);
}

/** The pipeline used when the config names none. */
export function defaultPipeline(contributions: Contributions): string[] {
  return ['lock', 'validate', ...(contributions.strategies.length > 0 ? ['backup'] : []), 'atomic-commit', 'verify'];
}

/**
 * Resolves configured entries (names or middleware objects) into a composed pipeline, inserts
 * plugin middleware that asked for a placement, and refuses orders that break prevention's
 * promises: no `atomic-commit`, a step twice, `lock` after a step that reads or writes the
 * file, `verify` before the commit, or `backup` with no strategy to back up to.
 */
export function buildPipeline(entries: readonly PipelineEntry[] | undefined, contributions: Contributions): Pipeline {
  const steps: Middleware[] = (entries ?? defaultPipeline(contributions)).map((entry) => {
    if (typeof entry !== 'string') {
      if (typeof entry?.handle !== 'function' || typeof entry.name !== 'string') throw invalid('a pipeline entry is neither a name nor a { name, handle } middleware');
      return entry;
    }
    const found = contributions.middleware.get(entry);
    if (!found) {
      throw invalid(`unknown middleware "${entry}"; known: ${[...contributions.middleware.keys()].join(', ')}`);
    }
    return found.middleware;
  });
  for (const [name, { middleware, placement }] of contributions.middleware) {
    if (!placement || steps.some((s) => s.name === name)) continue;
    const anchor = placement.before ?? placement.after;
    const at = steps.findIndex((s) => s.name === anchor);
    if (at === -1) continue;
    steps.splice(placement.before !== undefined ? at : at + 1, 0, middleware);
  }
  const names = steps.map((s) => s.name);
  const position = (name: string): number => names.indexOf(name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw invalid(`"${duplicate}" appears twice`);
  if (position('atomic-commit') === -1) {
    throw invalid(`it has no "atomic-commit" step, so nothing would be written safely (got: ${names.join(', ')})`);
  }
  for (const step of ['validate', 'backup', 'atomic-commit', 'verify']) {
    if (position('lock') !== -1 && position(step) !== -1 && position(step) < position('lock')) {
      throw invalid(`"${step}" must come after "lock" (got: ${names.join(', ')})`);
    }
  }
  if (position('verify') !== -1 && position('verify') < position('atomic-commit')) {
    throw invalid(`"verify" must come after "atomic-commit" (got: ${names.join(', ')})`);
  }
  if (position('backup') !== -1 && position('backup') > position('atomic-commit')) {
    throw invalid(`"backup" must come before "atomic-commit", so a version is backed up before it replaces the file (got: ${names.join(', ')})`);
  }
  if (position('backup') !== -1 && contributions.strategies.length === 0) {
    throw invalid('"backup" is in the pipeline but no backup strategy is registered (add @prevention/plugin-backup to plugins, or remove "backup")');
  }
  const composed = compose(
    steps.map((step) => (ctx: WriteContext, next: () => Promise<void>) => step.handle(ctx, next)),
    names,
  );
  return { names, run: (ctx) => composed(ctx) };
}
