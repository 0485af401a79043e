import type { ValidationIssue } from '../errors.js';
import { pointerSegment } from './json-value.js';

/** Where and why a text is not JSON, in words of its own: never a snippet of the text. */
export interface SyntaxFailure {
  /** Index (UTF-16 code unit) of the first character that makes the text invalid. */
  index: number;
  /** What is wrong there. */
  reason: string;
}

/** The outcome of {@link scanJson}. */
export type ScanResult = { syntax: SyntaxFailure; issues: [] } | { syntax: undefined; issues: ValidationIssue[] };

type Frame = { type: 'array'; path: string; index: number } | { type: 'object'; path: string; keys: Set<string> };

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const DECIMAL = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** A decimal literal reduced to digits and exponent, so that equal values compare equal. */
function decimalKey(literal: string): string | undefined {
  const m = DECIMAL.exec(literal);
  if (!m) return undefined;
  const fraction = m[3] ?? '';
  let digits = (m[2]! + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  let exponent = Number(m[4] ?? 0) - fraction.length;
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  return `${m[1]}${digits}e${exponent}`;
}

/**
 * False for a literal beyond ±(2^53 - 1) whose value a double does not hold: there every JSON
 * reader in JavaScript rounds it, while Python and others keep the integer exactly, so
 * rewriting it would silently change data another tool relies on. Smaller numbers with more
 * fraction digits than a double holds are rounded the same way by every JSON reader that
 * uses doubles (Python's included), so they are not reported.
 */
function isExactNumber(literal: string): boolean {
  const value = Number(literal);
  if (Math.abs(value) <= Number.MAX_SAFE_INTEGER) return true;
  return decimalKey(literal) === decimalKey(String(value));
}

/**
 * Reads JSON text the way the grammar does, to say what `JSON.parse` cannot: where the text
 * stops being JSON and why (in its own words, never quoting the text, which may be a secrets
 * file), and which values JavaScript would change silently, each by its JSON pointer: a
 * repeated key (JSON.parse keeps the last) and a number beyond ±(2^53 - 1) that a double
 * does not hold exactly.
 *
 * Several times slower than `JSON.parse`, so it runs only after a parse failed or when a
 * cheaper test says such values can be present. Iterative, so any depth is fine.
 */
export function scanJson(text: string, maxIssues = 20): ScanResult {
  const issues: ValidationIssue[] = [];
  const stack: Frame[] = [];
  const length = text.length;
  let i = 0;
  let path = '';
  const fail = (index: number, reason: string): ScanResult => ({ syntax: { index, reason: index >= length ? 'the text ends too early' : reason }, issues: [] });
  const skipWhitespace = (): void => {
    for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(++i));
  };
  /** Index just past the string starting at `i`, or a failure. */
  const endOfString = (): number | SyntaxFailure => {
    let j = i + 1;
    for (;;) {
      if (j >= length) return { index: j, reason: 'unterminated string' };
      const c = text.charCodeAt(j);
      if (c === 0x22) return j + 1;
      if (c < 0x20) return { index: j, reason: 'a control character inside a string must be escaped' };
      if (c === 0x5c) {
        const next = text[j + 1];
        if (next === 'u') {
          if (!HEX4.test(text.slice(j + 2, j + 6))) return { index: j, reason: 'a \\u escape needs four hexadecimal digits' };
          j += 6;
        } else if (next !== undefined && ESCAPES.has(next)) {
          j += 2;
        } else {
          return { index: j, reason: 'invalid escape sequence in a string' };
        }
        continue;
      }
      j += 1;
    }
  };

  skipWhitespace();
  for (;;) {
    // A value starts at i; its pointer is `path`.
    const c = text[i];
    let closedEmpty = false;
    if (c === '{' || c === '[') {
      i += 1;
      skipWhitespace();
      if (text[i] === (c === '{' ? '}' : ']')) {
        i += 1;
        closedEmpty = true;
      } else if (c === '[') {
        stack.push({ type: 'array', path, index: 0 });
        path = `${path}/0`;
        continue;
      } else {
        stack.push({ type: 'object', path, keys: new Set() });
        const failed = readKey(stack[stack.length - 1] as Extract<Frame, { type: 'object' }>);
        if (failed) return failed;
        continue;
      }
    }
    if (!closedEmpty) {
      if (c === '"') {
        const end = endOfString();
        if (typeof end !== 'number') return fail(end.index, end.reason);
        i = end;
      } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
        NUMBER.lastIndex = i;
        const m = NUMBER.exec(text);
        if (!m) return fail(i + 1, 'invalid number');
        if (!isExactNumber(m[0]) && issues.length < maxIssues) {
          issues.push({ path, message: 'this number is beyond 2^53 and would be rounded when read (write it as a string)' });
        }
        i += m[0].length;
      } else if (text.startsWith('true', i)) i += 4;
      else if (text.startsWith('false', i)) i += 5;
      else if (text.startsWith('null', i)) i += 4;
      else return fail(i, 'expected a value (object, array, string, number, true, false or null)');
    }
    // After a value: close containers or move to the next item.
    for (;;) {
      skipWhitespace();
      const top = stack[stack.length - 1];
      if (!top) {
        if (i < length) return fail(i, 'unexpected content after the end of the document');
        return { syntax: undefined, issues };
      }
      const d = text[i];
      if (top.type === 'array') {
        if (d === ',') {
          i += 1;
          skipWhitespace();
          top.index += 1;
          path = `${top.path}/${top.index}`;
          break;
        }
        if (d !== ']') return fail(i, "expected ',' or ']' after an array item");
      } else {
        if (d === ',') {
          i += 1;
          const failed = readKey(top);
          if (failed) return failed;
          break;
        }
        if (d !== '}') return fail(i, "expected ',' or '}' after a property value");
      }
      i += 1;
      stack.pop();
    }
  }

  /** Reads `"key":` and sets `path` to the member's pointer; a failure is returned. */
  function readKey(frame: Extract<Frame, { type: 'object' }>): ScanResult | undefined {
    skipWhitespace();
    if (text[i] !== '"') return fail(i, 'expected a property name in double quotes');
    const end = endOfString();
    if (typeof end !== 'number') return fail(end.index, end.reason);
    const key = JSON.parse(text.slice(i, end)) as string;
    const keyPath = `${frame.path}/${pointerSegment(key)}`;
    if (frame.keys.has(key)) {
      if (issues.length < maxIssues) issues.push({ path: keyPath, message: 'this key appears more than once in its object (JSON.parse would keep only the last)' });
    } else {
      frame.keys.add(key);
    }
    i = end;
    skipWhitespace();
    if (text[i] !== ':') return fail(i, "expected ':' after a property name");
    i += 1;
    skipWhitespace();
    path = keyPath;
    return undefined;
  }
}

