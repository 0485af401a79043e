import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toJsonDocument } from './to-json-document.js';
import { parseDocument } from './parse-document.js';
import { ErrorCodes, type PreventionError } from '../errors.js';

const limits = { maxDepth: 256 };

function issuesOf(value: unknown, max = limits): string[] {
  const result = toJsonDocument(value, max);
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('toJsonDocument', () => {
  it('copies plain JSON, keeping key order and dropping undefined properties', () => {
    const input = { b: 1, a: [1, 'x', null, { c: true }], skip: undefined };
    const result = toJsonDocument(input, limits);
    expect(result.ok && JSON.stringify(result.value)).toBe('{"b":1,"a":[1,"x",null,{"c":true}]}');
    if (result.ok) expect(result.value).not.toBe(input);
  });

  it('names every non-JSON value by its pointer', () => {
    const cyclic: Record<string, unknown> = { a: {} };
    (cyclic.a as Record<string, unknown>).self = cyclic;
    expect(issuesOf({ n: 10n })).toEqual(['/n: a BigInt cannot be stored as JSON']);
    expect(issuesOf({ f: () => 1 })).toEqual(['/f: a function cannot be stored as JSON']);
    expect(issuesOf({ x: NaN, y: Infinity })[0]).toContain('is not a JSON number');
    expect(issuesOf({ list: [1, undefined] })).toEqual(['/list/1: undefined inside an array would become null']);
    expect(issuesOf({ when: new Date(0) })[0]).toContain('/when: a Date instance is not plain JSON data');
    expect(issuesOf(cyclic)).toEqual(['/a/self: circular reference']);
    expect(issuesOf(undefined)).toEqual([': the document is undefined']);
    expect(issuesOf({ 'a/b': { '~': 1n } })).toEqual(['/a~1b/~0: a BigInt cannot be stored as JSON']);
  });

  it('copies -0 as 0, what JSON reads back, so a committed document equals its reread', () => {
    const result = toJsonDocument({ n: -0, list: [-0] }, limits);
    expect(result.ok).toBe(true);
    const copy = (result as unknown as { value: { n: number; list: number[] } }).value;
    expect(Object.is(copy.n, 0) && Object.is(copy.list[0], 0)).toBe(true);
  });

  it('allows shared references that are not cycles', () => {
    const shared = { v: 1 };
    expect(issuesOf({ a: shared, b: shared })).toEqual([]);
  });

  it('refuses prototype-polluting keys', () => {
    expect(issuesOf(JSON.parse('{"a":{"__proto__":{"polluted":true}}}'))).toEqual(['/a/__proto__: the key "__proto__" is not allowed (prototype pollution)']);
    expect(issuesOf({ constructor: 1 })[0]).toContain('"constructor"');
    expect(issuesOf({ prototype: 1 })[0]).toContain('"prototype"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('enforces the depth limit without overflowing the stack', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(issuesOf(deep)).toEqual([`${'/0'.repeat(256)}: nesting deeper than the limit of 256 (maxDepth)`]);
    expect(issuesOf([[[1]]], { maxDepth: 3 })).toEqual([]);
    expect(issuesOf([[[[1]]]], { maxDepth: 3 })).toHaveLength(1);
  });
});

describe('parseDocument', () => {
  const parse = (text: string | Buffer): unknown => parseDocument(typeof text === 'string' ? Buffer.from(text) : text, '/x.json', limits);

  it('parses whole documents', () => {
    expect(parse('{"events":[]}')).toEqual({ events: [] });
  });

  it('reports empty, truncated, garbage and invalid UTF-8 as corrupt with the byte offset', () => {
    expect(() => parse('')).toThrow(expect.objectContaining({ code: ErrorCodes.CORRUPT_DOCUMENT, details: expect.objectContaining({ reason: 'empty' }) }));
    expect(() => parse('{"é": [1,')).toThrow(expect.objectContaining({ details: expect.objectContaining({ reason: 'invalid-json', offset: 10 }) }));
    expect(() => parse('{"a": 1}}')).toThrow(expect.objectContaining({ details: expect.objectContaining({ offset: 8 }) }));
    expect(() => parse(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow(expect.objectContaining({ details: expect.objectContaining({ reason: 'invalid-utf8' }) }));
    expect(() => parse(Buffer.alloc(16))).toThrow(expect.objectContaining({ code: ErrorCodes.CORRUPT_DOCUMENT }));
  });

  it('locates the first byte of invalid UTF-8 the way a decoder rejects it', () => {
    const at = (bytes: number[]): unknown => {
      try {
        parse(Buffer.concat([Buffer.from('{"k":\n "'), Buffer.from(bytes), Buffer.from('"}')]));
      } catch (err) {
        return (err as PreventionError).details;
      }
      return 'parsed';
    };
    // A lone continuation byte, an overlong "/", a UTF-16 surrogate, past U+10FFFF, a cut sequence.
    for (const bad of [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
      expect(at([0x61, 0xc3, 0xa9, ...bad])).toEqual({ reason: 'invalid-utf8', offset: 11, line: 2, column: 6 });
    }
    expect(at([0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80])).toBe('parsed');
  });

  it('finds the first bad byte exactly when a strict decoder refuses the bytes', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const decodes = (bytes: Uint8Array): boolean => {
      try {
        strict.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 4 }), fc.string({ unit: 'grapheme' }), (before, noise, after) => {
        const bytes = Buffer.concat([Buffer.from(before), noise, Buffer.from(after)]);
        let details: Record<string, unknown> | undefined;
        try {
          parseDocument(bytes, '/x.json', limits);
        } catch (err) {
          details = (err as PreventionError).details;
        }
        if (decodes(bytes)) {
          expect(details?.reason).not.toBe('invalid-utf8');
          return;
        }
        const offset = details?.offset as number;
        expect(details?.reason).toBe('invalid-utf8');
        // Everything before it decodes; the sequence starting there does not, whatever follows.
        expect(decodes(bytes.subarray(0, offset))).toBe(true);
        expect(offset).toBeGreaterThanOrEqual(Buffer.byteLength(before));
      }),
    );
  });

  it('guards depth and prototype keys on disk too', () => {
    expect(() => parse(`${'['.repeat(300)}${']'.repeat(300)}`)).toThrow(expect.objectContaining({ code: ErrorCodes.CORRUPT_DOCUMENT, details: { reason: 'structure' } }));
    expect(() => parse('{"__proto__": {"x": 1}}')).toThrow(expect.objectContaining({ code: ErrorCodes.CORRUPT_DOCUMENT }));
  });

  it('locates a syntax error by byte, line and column with a reason, quoting none of the content', () => {
    const secret = 'sk-live-4f9a2b7c';
    const damaged = [
      `{\n  "token": "${secret}`,
      `{\n  "token": ${secret}"\n}`,
      `{"token": "${secret}"}} trailing ${secret}`,
      `{"token": "${secret}", ${secret}: 1}`,
      `{"token": "${secret}\u0001"}`,
      `{"token": "${secret}"\n  "more": 1}`,
    ];
    for (const text of damaged) {
      let error: unknown;
      try {
        parse(text);
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: ErrorCodes.CORRUPT_DOCUMENT, details: { reason: 'invalid-json', offset: expect.any(Number), line: expect.any(Number), column: expect.any(Number) } });
      const shown = JSON.stringify({ message: (error as Error).message, details: (error as { details: unknown }).details, cause: String((error as Error).cause) });
      for (const fragment of ['sk-live', '4f9a', 'trailing']) expect(shown).not.toContain(fragment);
    }
    expect(() => parse('{\n  "a": 1,\n  "é": x\n}')).toThrow(expect.objectContaining({ details: expect.objectContaining({ offset: 20, line: 3, column: 9 }) }));
  });

  it('refuses values JSON.parse would change, each by its JSON pointer', () => {
    const refused = (text: string) => {
      try {
        parse(text);
      } catch (err) {
        return err as { code: string; issues: Array<{ path: string }>; details: unknown };
      }
      return undefined;
    };
    expect(refused('{"events":[],"big":12345678901234567891}')).toMatchObject({ code: ErrorCodes.VALIDATION_FAILED, details: { reason: 'inexact' }, issues: [{ path: '/big' }] });
    expect(refused('{"a":1,"a":2,"events":[]}')).toMatchObject({ code: ErrorCodes.VALIDATION_FAILED, issues: [{ path: '/a' }] });
    expect(refused('{"events":[{"x":"a:b","x":"\\u003a"}]}')?.issues).toEqual([expect.objectContaining({ path: '/events/0/x' })]);
    expect(refused('{"events":[{"n":-9007199254740993}]}')?.issues).toEqual([expect.objectContaining({ path: '/events/0/n' })]);
    for (const exact of ['{"events":[],"n":9007199254740992,"m":1e300,"f":0.1,"t":"12345678901234567891","k":"a:b:c","e":{}}', '{"x":"\\u003a"}']) {
      expect(refused(exact)).toBeUndefined();
    }
  });

  it('refuses every repeated key, however the strings around it hide colons, and accepts what JSON.stringify wrote', () => {
    // Prototype-polluting keys are refused before any of this; leave them to their own test.
    const plain = (value: unknown): boolean => !/"(__proto__|constructor|prototype)":/.test(JSON.stringify(value));
    const objects = fc.dictionary(fc.string({ unit: fc.constantFrom('a', ':', '"', '\\', 'é') }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 5 }).filter(plain);
    fc.assert(
      fc.property(objects, fc.nat(), fc.jsonValue({ maxDepth: 1 }).filter(plain), fc.constantFrom(undefined, 2), (object, pick, other, indent) => {
        const keys = Object.keys(object);
        const key = keys[pick % keys.length]!;
        const text = JSON.stringify({ events: [], object }, null, indent);
        // Compared with what JSON itself reads back (-0, say, is written as 0).
        expect(parse(text)).toEqual(JSON.parse(text));
        // The repeated member goes first, so JSON.parse keeps the original value and nothing else shows it.
        const repeated = text.replace(/"object": ?\{/, (open) => `${open}${JSON.stringify(key)}:${JSON.stringify(other)},`);
        expect(() => parse(repeated)).toThrow(expect.objectContaining({ code: ErrorCodes.VALIDATION_FAILED, details: { reason: 'inexact' } }));
      }),
      { numRuns: 500 },
    );
  });
});
