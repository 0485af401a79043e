import type { Hash } from 'node:crypto';
import type { VersionContent } from '../contract.js';

/**
 * A version's bytes as a list of pieces, most of them shared with the version before it, so an
 * append makes a new version without copying the old bytes: the pieces are views, never
 * changed once made. The bytes become one buffer only when something asks for all of them
 * ({@link bytes}), once per version.
 *
 * Pieces are merged as they are added, while the last two are within twice each other's
 * length: like a binary counter, a long run of appends keeps a few pieces and copies each byte a
 * logarithmic number of times, and a large view added after a small piece is never copied to
 * join it. Either may be the longer: appended items differ a little in length, and a rule that
 * wanted the later one longer would leave a shorter one stuck between two pieces forever.
 */
export class ByteRope implements VersionContent {
  private pieces: Buffer[];
  readonly length: number;

  private constructor(pieces: Buffer[], length: number) {
    this.pieces = pieces;
    this.length = length;
  }

  /** A rope of one buffer (not copied). */
  static of(bytes: Uint8Array): ByteRope {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    return new ByteRope([buffer], buffer.length);
  }

  /** A rope of `parts` in order: views of other ropes and new text. */
  static concat(parts: ReadonlyArray<Buffer | string>): ByteRope {
    const pieces: Buffer[] = [];
    let length = 0;
    for (const part of parts) {
      const piece = typeof part === 'string' ? Buffer.from(part) : part;
      if (piece.length === 0) continue;
      pieces.push(piece);
      length += piece.length;
      while (pieces.length >= 2 && balanced(pieces[pieces.length - 2]!.length, pieces[pieces.length - 1]!.length)) {
        const last = pieces.pop()!;
        const before = pieces.pop()!;
        pieces.push(Buffer.concat([before, last]));
      }
    }
    return new ByteRope(pieces, length);
  }

  /** Views of the bytes from `start` to `end`, in order (nothing is copied). */
  slice(start: number, end: number = this.length): Buffer[] {
    const out: Buffer[] = [];
    let offset = 0;
    for (const piece of this.pieces) {
      const pieceEnd = offset + piece.length;
      if (pieceEnd > start && offset < end) out.push(piece.subarray(Math.max(0, start - offset), Math.min(piece.length, end - offset)));
      if (pieceEnd >= end) break;
      offset = pieceEnd;
    }
    return out;
  }

  views(from = 0): Buffer[] {
    return this.slice(from);
  }

  bytes(): Buffer {
    if (this.pieces.length !== 1) this.pieces = [Buffer.concat(this.pieces, this.length)];
    return this.pieces[0] ?? Buffer.alloc(0);
  }

  /** True when the bytes from `start` to `end` are those of `other` at the same offsets. */
  sameAs(other: Uint8Array, start: number, end: number): boolean {
    if (other.length < end) return false;
    let at = start;
    for (const view of this.slice(start, end)) {
      if (!view.equals(other.subarray(at, at + view.length))) return false;
      at += view.length;
    }
    return at === end;
  }

  /** Feeds the bytes from `start` to `end` to `hash`. */
  hashInto(hash: Hash, start: number, end: number = this.length): Hash {
    for (const view of this.slice(start, end)) hash.update(view);
    return hash;
  }
}

const balanced = (before: number, last: number): boolean => last <= 2 * before && before <= 2 * last;

/** All the bytes of what a store's commit was given. */
export function contentBytes(content: Uint8Array | VersionContent): Uint8Array {
  return content instanceof Uint8Array ? content : content.bytes();
}

/** The bytes from `from` of what a store's commit was given, as views in order (nothing copied). */
export function contentViews(content: Uint8Array | VersionContent, from = 0): Uint8Array[] {
  return content instanceof Uint8Array ? [content.subarray(from)] : content.views(from);
}
