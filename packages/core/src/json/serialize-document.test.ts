import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../contract.js';
import { markExtension, readAppended, serializeDocument, serializeNext } from './serialize-document.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
/** The bytes of a version without flattening its rope (so later versions still share pieces). */
const all = (version: { content: { slice(start: number): Buffer[] } }): Buffer => Buffer.concat(version.content.slice(0));

/** One step from a version to the next, sharing what it does not touch, as the bus and drafts do. */
type Step =
  | { kind: 'append'; key: string; items: JsonValue[] }
  | { kind: 'set'; key: string; value: JsonValue }
  | { kind: 'delete'; key: string }
  | { kind: 'drop-first'; key: string };

const key = fc.constantFrom('events', 'agents', 'last_updated', 'total_events', 'n', '1', 'é"\\\n');
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('append' as const), key, items: fc.array(fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>, { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue> }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop-first' as const), key }) },
);

function apply(document: JsonObject, s: Step): JsonObject {
  const current = document[s.key];
  switch (s.kind) {
    case 'append':
      return { ...document, [s.key]: Array.isArray(current) ? current.concat(s.items) : s.items };
    case 'set':
      return { ...document, [s.key]: s.value };
    case 'delete': {
      const { [s.key]: _gone, ...rest } = document;
      return rest;
    }
    case 'drop-first':
      return Array.isArray(current) ? { ...document, [s.key]: current.slice(1) } : document;
  }
}

describe('serializeNext', () => {
  it('writes exactly what serializeDocument writes, with a true sha256 and unchanged prefix, over any sequence of versions', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 2, 4, 12), fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>), fc.array(step, { maxLength: 12 }), (indent, start, steps) => {
        let document: JsonObject = start;
        let base = serializeNext(document, indent);
        expect(all(base).equals(serializeDocument(document, indent))).toBe(true);
        for (const s of steps) {
          const next = apply(document, s);
          const serialized = serializeNext(next, indent, { document, sha256: base.sha256 });
          const expected = serializeDocument(next, indent);
          expect(all(serialized).toString()).toBe(expected.toString());
          expect(serialized.sha256).toBe(sha256(expected));
          expect(serialized.unchangedPrefix).toBeLessThanOrEqual(Math.min(expected.length, all(base).length));
          expect(all(serialized).subarray(0, serialized.unchangedPrefix).equals(all(base).subarray(0, serialized.unchangedPrefix))).toBe(true);
          document = next;
          base = serialized;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps all of an appended-to array as the unchanged prefix, so an append costs what it adds', () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({ seq: i + 1, type: 'tick', payload: { text: 'x'.repeat(40) } }));
    const document = { version: 1, events };
    const base = serializeNext(document, 2);
    const next = { ...document, events: events.concat([{ seq: 1001, type: 'tick', payload: { text: 'new' } }]) };
    const serialized = serializeNext(next, 2, { document, sha256: base.sha256 });
    // Everything up to the end of the old last event: only the new event and the closing differ.
    expect(serialized.unchangedPrefix).toBe(all(base).length - '\n  ]\n}\n'.length);
    expect(all(serialized).toString()).toBe(serializeDocument(next, 2).toString());
  });

  it('serializes an array its builder marked as an extension without looking at the old items again', () => {
    let reads = 0;
    const items = Array.from({ length: 1000 }, (_, i) => ({ seq: i + 1 }));
    // Counts every read of an item by index: the identity check of an unmarked array reads each.
    const events = new Proxy(items, {
      get(target, property, receiver) {
        if (typeof property === 'string' && /^\d+$/.test(property)) reads++;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const document = { version: 1, events };
    const base = serializeNext(document, 2);
    const marked = items.concat([{ seq: 1001 }]);
    markExtension(marked, events);
    reads = 0;
    const serialized = serializeNext({ version: 1, events: marked }, 2, { document, sha256: base.sha256 });
    expect(reads).toBe(0);
    expect(all(serialized).toString()).toBe(serializeDocument({ version: 1, events: marked }, 2).toString());
    expect(serialized.unchangedPrefix).toBe(all(base).length - '\n  ]\n}\n'.length);
    // Unmarked, the same append is proven item by item.
    serializeNext({ version: 1, events: items.concat([{ seq: 1001 }]) }, 2, { document, sha256: base.sha256 });
    expect(reads).toBeGreaterThanOrEqual(1000);
  });

  it('reuses nothing from a base it did not serialize itself, or whose bytes are not the ones given', () => {
    const document = { events: [1, 2, 3] };
    const base = serializeNext(document, 2);
    const next = { ...document, events: [1, 2, 3, 4] };
    expect(serializeNext(next, 2, { document, sha256: 'f'.repeat(64) }).unchangedPrefix).toBe(0);
    expect(serializeNext(next, 2, { document: { events: [1, 2, 3] }, sha256: base.sha256 }).unchangedPrefix).toBe(0);
    expect(serializeNext(next, 4, { document, sha256: base.sha256 }).unchangedPrefix).toBe(0);
    expect(serializeNext(next, 2, { document, sha256: base.sha256 }).unchangedPrefix).toBeGreaterThan(0);
  });

  describe('readAppended', () => {
    const parseItems = (text: Buffer): JsonValue => JSON.parse(text.toString()) as JsonValue;
    const events: JsonValue[] = Array.from({ length: 50 }, (_, i) => ({ seq: i + 1, note: `é ${i}` }));

    it('reads another writer\'s append as the base plus the new items, with the sha256 of the bytes, and serializes on from it', () => {
      fc.assert(
        fc.property(fc.constantFrom(0, 2, 3), fc.array(fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>, { minLength: 1, maxLength: 4 }), (indent, items) => {
          const document = { version: 1, events, after: { kept: true } };
          const base = serializeNext(document, indent);
          // What another process writes for the same append, from its own copy.
          const theirs = serializeDocument({ ...structuredClone(document), events: [...structuredClone(events), ...items] }, indent);
          const read = readAppended({ document, sha256: base.sha256 }, theirs, parseItems);
          expect(read).toBeDefined();
          expect(read!.document).toEqual(JSON.parse(theirs.toString()));
          expect(read!.document.events).not.toBe(events);
          expect((read!.document.events as JsonValue[])[0]).toBe(events[0]);
          expect(read!.sha256).toBe(sha256(theirs));
          const next = { ...read!.document, events: (read!.document.events as JsonValue[]).concat([{ seq: 99 }]) };
          const serialized = serializeNext(next, indent, read!);
          expect(all(serialized).toString()).toBe(serializeDocument(next, indent).toString());
          expect(serialized.sha256).toBe(sha256(all(serialized)));
          // Everything up to the end of their last item.
          const closing = indent ? `\n${' '.repeat(indent)}]` : ']';
          expect(serialized.unchangedPrefix).toBe(theirs.lastIndexOf(closing, theirs.lastIndexOf('"after"')));
        }),
        { numRuns: 500 },
      );
    });

    it('gives up (for a full parse) on anything but an exact append to the version it knows', () => {
      const document = { version: 1, events, after: 1 };
      const base = serializeNext(document, 2);
      const known = { document, sha256: base.sha256 };
      const appendOf = (doc: JsonObject) => serializeDocument(doc, 2);
      const more = [...events, { seq: 51 }];
      expect(readAppended(known, appendOf({ ...document, events: more }), parseItems)).toBeDefined();
      // a changed old item, another member changed, items removed, the same version, formatting
      expect(readAppended(known, appendOf({ ...document, events: [{ seq: 0 }, ...more.slice(1)] }), parseItems)).toBeUndefined();
      expect(readAppended(known, appendOf({ ...document, events: [{ seq: 1, note: 'é 9' }, ...more.slice(1)] }), parseItems)).toBeUndefined();
      expect(readAppended(known, appendOf({ ...document, events: more, after: 2 }), parseItems)).toBeUndefined();
      expect(readAppended(known, appendOf({ ...document, events: [...events.slice(1), { seq: 51 }, { seq: 52 }] }), parseItems)).toBeUndefined();
      expect(readAppended(known, all(base), parseItems)).toBeUndefined();
      expect(readAppended(known, Buffer.from(appendOf({ ...document, events: more }).toString().replace('{\n      "seq": 51\n    }', '{ "seq": 51 }')), parseItems)).toBeUndefined();
      // text that splices into valid JSON only as something else than new items
      const at = all(base).length - '\n  ],\n  "after": 1\n}\n'.length;
      const splice = (text: string) => Buffer.concat([all(base).subarray(0, at), Buffer.from(text), all(base).subarray(at)]);
      expect(readAppended(known, splice(','), parseItems)).toBeUndefined();
      expect(readAppended(known, splice('], "x": ['), parseItems)).toBeUndefined();
      // refused by the parse's checks
      expect(readAppended(known, appendOf({ ...document, events: more }), () => { throw new Error('refused'); })).toBeUndefined();
      // a sha256 that is not the layout's: the bytes cached are not the ones serialized
      expect(readAppended({ document, sha256: 'f'.repeat(64) }, appendOf({ ...document, events: more }), parseItems)).toBeUndefined();
    });
  });
});
