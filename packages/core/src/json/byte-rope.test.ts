import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteRope, contentBytes } from './byte-rope.js';

describe('ByteRope', () => {
  it('holds exactly the parts given, in order, whatever it merges, and slices, compares and hashes them', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 60 }), fc.nat(), fc.nat(), (parts, a, b) => {
        const expected = Buffer.from(parts.join(''));
        const rope = ByteRope.concat(parts);
        expect(rope.length).toBe(expected.length);
        const start = expected.length ? a % (expected.length + 1) : 0;
        const end = start + (expected.length - start ? b % (expected.length - start + 1) : 0);
        expect(Buffer.concat(rope.slice(start, end)).equals(expected.subarray(start, end))).toBe(true);
        expect(Buffer.concat(rope.views(start)).equals(expected.subarray(start))).toBe(true);
        expect(rope.sameAs(expected, start, end)).toBe(true);
        expect(rope.hashInto(createHash('sha256'), start, end).digest('hex')).toBe(createHash('sha256').update(expected.subarray(start, end)).digest('hex'));
        if (end > start) {
          const changed = Buffer.from(expected);
          changed[end - 1] = changed[end - 1]! ^ 1;
          expect(rope.sameAs(changed, start, end)).toBe(false);
        }
        expect(rope.bytes().equals(expected)).toBe(true);
        expect(Buffer.from(contentBytes(rope)).equals(expected)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps few pieces over a long run of appends, sharing the old bytes rather than copying them', () => {
    const base = Buffer.alloc(1 << 20, 0x61);
    let rope = ByteRope.of(base);
    for (let i = 0; i < 1000; i++) rope = ByteRope.concat([...rope.slice(0), `,{"n":${i}}`]);
    const pieces = rope.slice(0);
    expect(pieces.length).toBeLessThanOrEqual(12);
    // The first piece is still a view of the original buffer, not a copy of it.
    expect(pieces[0]!.buffer).toBe(base.buffer);
  });

  it('keeps few pieces when appended items differ a little in length and a closing bracket is cut off and put back each time', () => {
    // What an events array gets: items of about the same size (one a few bytes shorter than the
    // one before it), spliced in before the array's closing bracket.
    const closing = '\n  ]';
    let rope = ByteRope.concat([Buffer.alloc(400_000, 0x61), closing]);
    for (let i = 0; i < 1000; i++) {
      const item = `,\n    ${JSON.stringify({ n: i, pad: 'x'.repeat(400 + ((i * 7) % 10)) })}`;
      rope = ByteRope.concat([...rope.slice(0, rope.length - closing.length), item, closing]);
    }
    expect(rope.slice(0).length).toBeLessThanOrEqual(16);
  });
});
