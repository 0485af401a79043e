import type { ValidationIssue } from '../errors.js';
import { FORBIDDEN_KEYS, isPlainObject, pointerSegment, type JsonValue } from './json-value.js';

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
 * keys that pollute prototypes, and nesting beyond `maxDepth`. Object properties whose value
 * is `undefined` are left out of the copy, exactly as JSON.stringify would drop them, so the
 * copy always equals what parsing the serialized bytes gives back.
 *
 * Iterative, so a document nested 100,000 deep yields an issue instead of a stack overflow.
 */
export function toJsonDocument(input: unknown, limits: StructureLimits): JsonDocumentResult {
  return walk(input, limits, true);
}

/**
 * Checks an already-parsed document (depth, prototype keys) without copying it: JSON.parse
 * output is plain data by construction, so only the limits need enforcing.
 */
export function checkParsedDocument(input: JsonValue, limits: StructureLimits): ValidationIssue[] {
  const result = walk(input, limits, false);
  return result.ok ? [] : result.issues;
}

/** The depth of the value at JSON pointer `at` ('' is the root, depth 1). */
export function depthAt(at: string): number {
  return at === '' ? 1 : at.split('/').length;
}

function walk(input: unknown, limits: StructureLimits, copying: boolean): JsonDocumentResult {
  const issues: ValidationIssue[] = [];
  const maxIssues = limits.maxIssues ?? 20;
  const fail = (path: string, message: string): void => {
    if (issues.length < maxIssues) issues.push({ path, message });
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
      case 'boolean':
        assign(source);
        continue;
      case 'number':
        if (Number.isFinite(source)) assign(source);
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
      fail(path, `nesting deeper than the limit of ${limits.maxDepth}`);
      continue;
    }
    if (ancestors.has(source)) {
      fail(path, 'circular reference');
      continue;
    }
    if (Array.isArray(source)) {
      const copy: JsonValue[] = copying ? new Array<JsonValue>(source.length) : (source as JsonValue[]);
      assign(copy);
      ancestors.add(source);
      stack.push({ exit: source });
      for (let i = source.length - 1; i >= 0; i--) {
        const item: unknown = source[i];
        const itemPath = `${path}/${i}`;
        if (item === undefined) {
          fail(itemPath, 'undefined inside an array would become null');
          continue;
        }
        stack.push({ source: item, path: itemPath, depth: depth + 1, assign: (v) => (copy[i] = v) });
      }
      continue;
    }
    if (!isPlainObject(source)) {
      fail(path, `${describe(source)} is not plain JSON data (convert it to a string, number, array or object first)`);
      continue;
    }
    const copy = copying ? ({} as Record<string, JsonValue>) : (source as Record<string, JsonValue>);
    assign(copy);
    ancestors.add(source);
    stack.push({ exit: source });
    for (const key of Object.keys(source)) {
      const keyPath = `${path}/${pointerSegment(key)}`;
      if (FORBIDDEN_KEYS.has(key)) {
        fail(keyPath, `the key "${key}" is not allowed (prototype pollution)`);
        continue;
      }
      const item = source[key];
      if (item === undefined) continue;
      // Claim the key now: children are popped in reverse, and key order must survive the copy.
      if (copying) copy[key] = null;
      stack.push({ source: item, path: keyPath, depth: depth + 1, assign: (v) => (copy[key] = v) });
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: root };
}
