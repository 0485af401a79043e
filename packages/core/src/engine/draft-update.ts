import type { create as Create, Patch } from 'mutative';
import type { JsonValue, Updater } from '../contract.js';
import type { ValidationIssue } from '../errors.js';
import { FORBIDDEN_KEYS, pointerSegment } from '../json/json-value.js';
import { toJsonDocument, type JsonDocumentResult } from '../json/to-json-document.js';

/** mutative's manual mode, typed for what this module does with it. */
type StartDraft = (base: object, options: { enablePatches: true }) => [JsonValue, () => [JsonValue, Patch<true>[], Patch<true>[]]];

let startDraft: StartDraft | undefined;

/** mutative, loaded at the first update: a process that only reads or publishes never needs it. */
async function draftMaker(): Promise<StartDraft> {
  return (startDraft ??= (await import('mutative')).create as typeof Create as unknown as StartDraft);
}

const pointerOf = (path: ReadonlyArray<string | number>): string => path.map((segment) => `/${pointerSegment(segment)}`).join('');

/**
 * Runs an updater on a copy-on-write draft of `base` (mutative): the updater reads and writes
 * it like a plain object, and only what it changes is copied, so an append to a 100,000-event
 * document copies one array of references, not 100,000 events. The draft is revoked once the
 * updater is done, so a reference it kept can not reach the committed document later.
 *
 * What the updater put in is then checked and copied like any document given to prevention
 * ({@link toJsonDocument}: plain JSON, the depth limit, no prototype keys), value by value at
 * the places it changed; every part it did not touch is shared with `base`, which passed those
 * checks already. A new document the updater returns instead is checked and copied whole,
 * before the draft it may be built from is revoked. Throws what the updater throws.
 */
export async function draftUpdate(base: JsonValue, updater: Updater<JsonValue>, limits: { maxDepth: number }): Promise<JsonDocumentResult> {
  // A scalar document has nothing to share: the updater gets the value itself.
  if (base === null || typeof base !== 'object') {
    const returned = await updater(base);
    return toJsonDocument(returned === undefined ? base : returned, limits);
  }
  const [draft, finalize] = (await draftMaker())(base, { enablePatches: true });
  let returned: JsonValue | void;
  try {
    returned = await updater(draft);
  } catch (err) {
    finalize();
    throw err;
  }
  if (returned !== undefined && returned !== draft) {
    const copy = toJsonDocument(returned, limits);
    finalize();
    return copy;
  }
  const [next, patches] = finalize();
  return checkChanges(next, patches, limits);
}

/** Checks and copies, in place in `next`, every value a patch put there. */
function checkChanges(next: JsonValue, patches: readonly Patch<true>[], limits: { maxDepth: number }): JsonDocumentResult {
  if (patches.some((patch) => patch.path.length === 0)) return toJsonDocument(next, limits);
  const issues: ValidationIssue[] = [];
  for (const patch of patches) {
    if (patch.op === 'remove') continue;
    const at = patch.path;
    const key = at[at.length - 1]!;
    // Every container on a changed path is a fresh copy the draft made: setting into it
    // changes nothing `base` shares. A later patch may have removed it again.
    const parent = at.slice(0, -1).reduce<unknown>((node, segment) => (node as Record<string | number, unknown> | undefined)?.[segment], next) as Record<string | number, unknown> | undefined;
    if (parent === undefined || parent === null || typeof parent !== 'object' || !(key in parent)) continue;
    if (Array.isArray(parent) && key === 'length') continue;
    const value = parent[key];
    if (!Array.isArray(parent)) {
      if (FORBIDDEN_KEYS.has(String(key))) {
        issues.push({ path: pointerOf(at), message: `the key "${String(key)}" can pollute prototypes and is never stored` });
        continue;
      }
      // JSON.stringify leaves such a property out, and so does the copy of a whole document.
      if (value === undefined) {
        delete parent[key];
        continue;
      }
    }
    const copy = toJsonDocument(value, { ...limits, depth: at.length + 1 });
    if (!copy.ok) issues.push(...copy.issues.map((issue) => ({ ...issue, path: `${pointerOf(at)}${issue.path}` })));
    else parent[key] = copy.value;
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: next };
}
