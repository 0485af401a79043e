import type { JsonValue } from '../contract.js';
import type { ValidationIssue } from '../errors.js';
import { FORBIDDEN_KEYS, isPlainObject, pointerSegment } from './json-value.js';

/** Structural limits every stored document must respect. */
export interface StructureLimits {
  /** Deepest nesting allowed (the root is depth 1). */
  maxDepth: number;
  /**
   * How deep the value itself sits in its document (default 1: it is the root), so a part can
   * be checked against the whole document's limit before it is put in place.
   */
  depth?: number;
  /** Stop collecting after this many issues. */
  maxIssues?: number;
}

/** The outcome of {@link toJsonDocument}: a private, plain copy or the problems found. */
export type JsonDocumentResult = { ok: true; value: JsonValue } | { ok: false; issues: ValidationIssue[] };

/** Marks a property whose getter (or Proxy trap) threw; the failure is already recorded. */
const unreadable = Symbol('unreadable');

function thrownMessage(thrown: unknown): string {
  try {
    return thrown instanceof Error ? thrown.message : String(thrown);
  } catch {
    return 'something that cannot be described';
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return 'a BigInt';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'number') return String(value);
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  return ctor ? `a ${ctor} instance` : 'a non-plain object';
}

/**
 * Checks that `input` is plain JSON data and returns a deep copy of it that nobody else
 * references. Rejected, each with its JSON pointer: BigInt, functions, symbols, non-finite
 * numbers, `undefined` inside arrays or at the root, cycles, class instances (Date, Map, ...),
 * keys that pollute prototypes, nesting beyond `maxDepth`, and values whose getter or Proxy
 * trap throws when read (the issue names the pointer where it threw). Object properties whose value
 * is `undefined` are left out of the copy, exactly as JSON.stringify would drop them, so the
 * copy always equals what parsing the serialized bytes gives back.
 *
 * Iterative, so a document nested 100,000 deep yields an issue instead of a stack overflow.
 */
export function toJsonDocument(input: unknown, limits: StructureLimits): JsonDocumentResult {
  return walk(input, limits, true);
}

/**
 * What {@link checkParsedDocument} counts on its way, for telling whether JSON.parse may have
 * changed a value (see `mayBeInexact` in parse-document).
 */
export interface ParsedTally {
  /** Members of every object, plus the `:` inside every key and string. */
  colons: number;
  /** Some number is beyond ±(2^53 - 1), where doubles stop holding every integer. */
  beyondSafeIntegers: boolean;
}

/**
 * Checks an already-parsed document (depth, prototype keys) without copying it: JSON.parse
 * output is plain data by construction, so only the limits need enforcing. Fills `tally`.
 */
export function checkParsedDocument(input: JsonValue, limits: StructureLimits, tally?: ParsedTally): ValidationIssue[] {
  const result = walk(input, limits, false, tally);
  return result.ok ? [] : result.issues;
}

function countColons(text: string): number {
  let count = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) count += 1;
  return count;
}

/** The depth of the value at JSON pointer `at` ('' is the root, depth 1). */
export function depthAt(at: string): number {
  return at === '' ? 1 : at.split('/').length;
}

function walk(input: unknown, limits: StructureLimits, copying: boolean, tally?: ParsedTally): JsonDocumentResult {
  const issues: ValidationIssue[] = [];
  const maxIssues = limits.maxIssues ?? 20;
  const fail = (path: string, message: string, limit?: ValidationIssue['limit']): void => {
    if (issues.length < maxIssues) issues.push({ path, message, ...(limit ? { limit } : {}) });
  };

  if (input === undefined) return { ok: false, issues: [{ path: '', message: 'the document is undefined' }] };

  type Frame = { source: unknown; path: string; depth: number; assign: (v: JsonValue) => void };
  const ancestors = new Set<object>();
  // An { exit } entry marks leaving an object, so `ancestors` holds exactly the current path:
  // a shared (non-cyclic) reference is fine, a cycle is not.
  const stack: Array<Frame | { exit: object }> = [];
  let root: JsonValue = null;
  stack.push({ source: input, path: '', depth: limits.depth ?? 1, assign: (v) => (root = v) });

  while (stack.length > 0 && issues.length < maxIssues) {
    const frame = stack.pop()!;
    if ('exit' in frame) {
      ancestors.delete(frame.exit);
      continue;
    }
    const { source, path, depth, assign } = frame;
    switch (typeof source) {
      case 'string':
        if (tally) tally.colons += countColons(source);
        assign(source);
        continue;
      case 'boolean':
        assign(source);
        continue;
      case 'number':
        if (tally && Math.abs(source) > Number.MAX_SAFE_INTEGER) tally.beyondSafeIntegers = true;
        // JSON has no negative zero (-0 is written as 0): the copy holds what will read back.
        if (Number.isFinite(source)) assign(source === 0 ? 0 : source);
        else fail(path, `${describe(source)} is not a JSON number`);
        continue;
      case 'object':
        break;
      default:
        fail(path, `${describe(source)} cannot be stored as JSON`);
        continue;
    }
    if (source === null) {
      assign(null);
      continue;
    }
    if (depth > limits.maxDepth) {
      fail(path, `nesting deeper than the limit of ${limits.maxDepth} (maxDepth)`, { setting: 'maxDepth', value: limits.maxDepth });
      continue;
    }
    if (ancestors.has(source)) {
      fail(path, 'circular reference');
      continue;
    }
    // A getter or Proxy trap can throw on any read; that is this value's problem, located here,
    // and must not fail the other changes committed with it.
    try {
      visit(source, path, depth, assign);
    } catch (thrown) {
      fail(path, `reading it threw (${thrownMessage(thrown)})`);
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: root };

  function visit(source: object, path: string, depth: number, assign: (v: JsonValue) => void): void {
    if (Array.isArray(source)) {
      const copy: JsonValue[] = copying ? new Array<JsonValue>(source.length) : (source as JsonValue[]);
      assign(copy);
      ancestors.add(source);
      stack.push({ exit: source });
      for (let i = source.length - 1; i >= 0; i--) {
        const itemPath = `${path}/${i}`;
        const item = readProperty(source, i, itemPath);
        if (item === unreadable) continue;
        if (item === undefined) {
          fail(itemPath, 'undefined inside an array would become null');
          continue;
        }
        stack.push({ source: item, path: itemPath, depth: depth + 1, assign: (v) => (copy[i] = v) });
      }
      return;
    }
    if (!isPlainObject(source)) {
      fail(path, `${describe(source)} is not plain JSON data (convert it to a string, number, array or object first)`);
      return;
    }
    const copy = copying ? ({} as Record<string, JsonValue>) : (source as Record<string, JsonValue>);
    assign(copy);
    ancestors.add(source);
    stack.push({ exit: source });
    for (const key of Object.keys(source)) {
      if (tally) tally.colons += 1 + countColons(key);
      const keyPath = `${path}/${pointerSegment(key)}`;
      if (FORBIDDEN_KEYS.has(key)) {
        fail(keyPath, `the key "${key}" is not allowed (prototype pollution)`);
        continue;
      }
      const item = readProperty(source, key, keyPath);
      if (item === undefined || item === unreadable) continue;
      // Claim the key now: children are popped in reverse, and key order must survive the copy.
      if (copying) copy[key] = null;
      stack.push({ source: item, path: keyPath, depth: depth + 1, assign: (v) => (copy[key] = v) });
    }
  }

  function readProperty(source: object, key: string | number, keyPath: string): unknown {
    try {
      return (source as Record<string | number, unknown>)[key];
    } catch (thrown) {
      fail(keyPath, `reading it threw (${thrownMessage(thrown)})`);
      return unreadable;
    }
  }
}
