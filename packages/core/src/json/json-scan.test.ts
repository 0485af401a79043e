import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanJson } from './json-scan.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** JSON texts, formatted compactly or indented, then maybe damaged by one edit. */
const texts = fc
  .tuple(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'), fc.nat(), fc.constantFrom('', ',', '"', '}', ']', ':', '\\', '\u0001', 'x', '-', '.', 'e', '0', ' '), fc.boolean())
  .map(([value, indent, at, edit, damage]) => {
    const text = JSON.stringify(value, null, indent);
    if (!damage) return text;
    const i = at % (text.length + 1);
    return text.slice(0, i) + edit + text.slice(i + (edit === '' ? 1 : 0));
  });

describe('scanJson', () => {
  it('finds a syntax error exactly when JSON.parse fails', () => {
    fc.assert(
      fc.property(texts, (text) => {
        const { syntax } = scanJson(text);
        expect(syntax === undefined).toBe(parses(text));
        if (syntax) expect(syntax.index).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 3_000 },
    );
  });

  it('finds no inexact value in what JSON.stringify wrote', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(scanJson(JSON.stringify(value)).issues).toEqual([]);
      }),
      { numRuns: 1_000 },
    );
  });

  it('names repeated keys and integers a double rounds by pointer, deep inside', () => {
    const { issues } = scanJson('{"list":[{"k~/":1,"k~/":2},[123456789012345678901234567890, 9007199254740993.0, 1e400, -1e400, 9007199254740992, 1e22]]}');
    expect(issues.map((i) => i.path)).toEqual(['/list/0/k~0~1', '/list/1/0', '/list/1/1', '/list/1/2', '/list/1/3']);
  });
});
