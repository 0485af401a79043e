import { createHash, type Hash } from 'node:crypto';
import type { JsonObject, JsonValue } from '../contract.js';
import { ByteRope } from './byte-rope.js';

/** Serializes a document the way prevention writes it: indented as configured, newline-terminated. */
export function serializeDocument(document: JsonValue, indent: number): Buffer {
  return Buffer.from(`${JSON.stringify(document, null, indent || undefined)}\n`, 'utf8');
}

/** A version's bytes with what the next serialization needs to reuse them. */
export interface SerializedVersion {
  /** Its bytes, sharing the base's where they are the same. */
  content: ByteRope;
  sha256: string;
  /** How many leading bytes are those of the base version (0 without one, or when the start changed). */
  unchangedPrefix: number;
}

/** One top-level member's `"key": value` text in a version's bytes. */
interface Member {
  key: string;
  value: JsonValue;
  start: number;
  end: number;
}

/** The sha256 state after the items of a document's longest array: where an append to it diverges. */
interface AppendPoint {
  /** Index of the array's member. */
  member: number;
  /** Byte offset just after its last item. */
  at: number;
  /** sha256 of the bytes before `at`, to be copied and continued. */
  state: Hash;
}

/** Where an object document's members sit in the bytes this module made for it. */
interface Layout {
  indent: number;
  content: ByteRope;
  sha256: string;
  members: Member[];
  append: AppendPoint | undefined;
}

// Keyed by the document itself: committed documents are never changed in place (updaters get
// drafts), so a layout stays true for as long as its document lives, and goes with it.
const layouts = new WeakMap<object, Layout>();

const isObject = (value: JsonValue): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON.stringify's own rules: at most 10 spaces of indentation, none for 0. */
const padOf = (indent: number): string => ' '.repeat(Math.min(10, Math.max(0, Math.floor(indent))));

/** `value` as JSON.stringify would write it `depth` levels deep in an indented document. */
function stringifyAt(value: JsonValue, pad: string, depth: number): string {
  const text = JSON.stringify(value, null, pad || undefined);
  // A newline in JSON.stringify's output is always layout: inside strings it is escaped.
  return pad && depth > 0 && text.includes('\n') ? text.replaceAll('\n', `\n${pad.repeat(depth)}`) : text;
}

/**
 * Serializes `document` exactly as {@link serializeDocument} does, reusing the bytes of `base`
 * where the document shares its parts: a top-level member that is the very same value keeps its
 * bytes, and a top-level array that only gained items at its end keeps its bytes up to its last
 * old item, so only the new items are serialized. The sha256 goes on from the state after the
 * unchanged start, so an append costs what it adds, not what the file holds.
 *
 * `base` counts only when it is a version this function serialized (its sha256 says which);
 * anything else is serialized whole, and then becomes a base for the next call.
 */
export function serializeNext(document: JsonValue, indent: number, base?: { document: JsonValue; sha256: string | undefined }): SerializedVersion {
  if (!isObject(document)) {
    const bytes = serializeDocument(document, indent);
    return { content: ByteRope.of(bytes), sha256: createHash('sha256').update(bytes).digest('hex'), unchangedPrefix: 0 };
  }
  const pad = padOf(indent);
  const layout = base && isObject(base.document) ? layouts.get(base.document) : undefined;
  const reusable = layout && layout.indent === indent && layout.sha256 === base?.sha256 ? layout : undefined;
  const keys = Object.keys(document);
  const open = pad && keys.length > 0 ? '{\n' : '{';
  const separator = pad ? ',\n' : ',';
  const close = pad && keys.length > 0 ? '\n}\n' : '}\n';

  const pieces: Array<Buffer | string> = [open];
  const members: Member[] = [];
  let offset = open.length;
  const baseOpen = reusable && (pad && reusable.members.length > 0 ? '{\n' : '{');
  let unchangedPrefix = baseOpen === open ? offset : baseOpen ? 1 : 0;
  let prefixRunning = baseOpen === open;
  // The items' end of the longest array: where the next append will diverge.
  let appendPoint: { member: number; at: number; length: number } | undefined;
  const push = (piece: Buffer[] | string, fromBase: boolean): void => {
    let length: number;
    if (typeof piece === 'string') {
      pieces.push(piece);
      length = Buffer.byteLength(piece);
    } else {
      pieces.push(...piece);
      length = piece.reduce((sum, p) => sum + p.length, 0);
    }
    offset += length;
    if (prefixRunning && fromBase) unchangedPrefix = offset;
    else prefixRunning = false;
  };
  keys.forEach((key, i) => {
    // Base bytes only where the base had a member here too (else they held its closing brace).
    if (i > 0) push(separator, reusable?.members[i] !== undefined);
    const value = document[key]!;
    const start = offset;
    const old = reusable?.members[i];
    if (old && old.key === key && old.value === value) {
      push(reusable!.content.slice(old.start, old.end), true);
    } else if (old && old.key === key && extendsArray(old.value, value)) {
      // Up to the old last item, then the new items, then the closing bracket.
      const closing = pad ? `\n${pad}]` : ']';
      push(reusable!.content.slice(old.start, old.end - closing.length), true);
      const itemPad = pad ? `\n${pad.repeat(2)}` : '';
      let added = '';
      for (let j = (old.value as JsonValue[]).length; j < value.length; j++) added += `${separator.slice(0, 1)}${itemPad}${stringifyAt(value[j]!, pad, 2)}`;
      push(added, false);
      push(closing, false);
    } else {
      push(`${pad}${JSON.stringify(key)}${pad ? ': ' : ':'}${stringifyAt(value, pad, 1)}`, false);
    }
    members.push({ key, value, start, end: offset });
    if (Array.isArray(value) && value.length > 0 && value.length >= (appendPoint?.length ?? 0)) {
      appendPoint = { member: i, at: offset - (pad ? pad.length + 2 : 1), length: value.length };
    }
  });
  push(close, false);

  const content = ByteRope.concat(pieces);
  const from = reusable?.append && reusable.append.at <= unchangedPrefix ? reusable.append : undefined;
  const { sha256, append } = hashOf(content, from, appendPoint);
  layouts.set(document, { indent, content, sha256, members, append });
  return { content, sha256, unchangedPrefix };
}

/**
 * sha256 of `bytes`, going on from `from` (a state over bytes they share with an earlier
 * version), and the state at `next`, the append point of this version.
 */
function hashOf(content: ByteRope, from: AppendPoint | undefined, next: { member: number; at: number } | undefined): { sha256: string; append: AppendPoint | undefined } {
  const state = from ? from.state.copy() : createHash('sha256');
  let hashedTo = from ? from.at : 0;
  let append: AppendPoint | undefined;
  if (next && next.at >= hashedTo) {
    content.hashInto(state, hashedTo, next.at);
    hashedTo = next.at;
    append = { member: next.member, at: hashedTo, state: state.copy() };
  }
  return { sha256: content.hashInto(state, hashedTo).digest('hex'), append };
}

/**
 * Gives a version read from its bytes the layout {@link serializeNext} and {@link readAppended}
 * build on, as if this process had written it. True when its bytes are what serializeNext makes
 * of its document; any other version is serialized whole by the next commit, as before.
 */
export function layOut(version: { document: JsonValue; sha256: string }, indent: number): boolean {
  return serializeNext(version.document, indent).sha256 === version.sha256;
}

/**
 * Reads `bytes` as `base` with items added to its longest array, parsing only those items,
 * when `base` is a version {@link serializeNext} made and `bytes` are its bytes with the new
 * items serialized the same way spliced in after its last item (what another process committing
 * an append writes). The prefix and the rest are compared byte for byte, and the new items must
 * be exactly their own serialization, so the version read is exactly the one
 * {@link serializeNext} would make: any other bytes are `undefined`, for a full parse.
 *
 * `parseItems` parses the new items as a JSON array, with every check a loaded document gets
 * (throwing to refuse); its result must be an array.
 */
export function readAppended(
  base: { document: JsonValue; sha256: string },
  bytes: Uint8Array,
  parseItems: (text: Buffer) => JsonValue,
): { document: JsonObject; sha256: string } | undefined {
  if (!isObject(base.document)) return undefined;
  const layout = layouts.get(base.document);
  if (!layout || layout.sha256 !== base.sha256 || !layout.append || bytes.length <= layout.content.length) return undefined;
  const { member, at } = layout.append;
  const restLength = layout.content.length - at;
  const found = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const middle = found.subarray(at, found.length - restLength);
  const rest = found.subarray(found.length - restLength);
  // The rest after the items is small (closing brackets, later members): compared as one piece.
  if (middle[0] !== 0x2c || !Buffer.concat(layout.content.views(at)).equals(rest) || !layout.content.sameAs(found, 0, at)) return undefined;
  let items: JsonValue;
  try {
    items = parseItems(Buffer.concat([Buffer.from('['), middle.subarray(1), Buffer.from(']')]));
  } catch {
    return undefined;
  }
  if (!Array.isArray(items) || items.length === 0) return undefined;
  const pad = padOf(layout.indent);
  const itemPad = pad ? `\n${pad.repeat(2)}` : '';
  let canonical = '';
  for (const item of items) canonical += `,${itemPad}${stringifyAt(item, pad, 2)}`;
  if (!middle.equals(Buffer.from(canonical))) return undefined;

  const { key, value } = layout.members[member]!;
  const extended = (value as JsonValue[]).concat(items);
  markExtension(extended, value as JsonValue[]);
  const document: JsonObject = { ...base.document, [key]: extended };
  const members = layout.members.map((m, i) => (i < member ? m : { key: m.key, value: document[m.key]!, start: i === member ? m.start : m.start + middle.length, end: m.end + middle.length }));
  const content = ByteRope.of(found);
  const { sha256, append } = hashOf(content, layout.append, { member, at: at + middle.length });
  layouts.set(document, { indent: layout.indent, content, sha256, members, append });
  return { document, sha256 };
}

/** Arrays made as another array with items added at its end, and that array (see {@link markExtension}). */
const extensions = new WeakMap<readonly JsonValue[], readonly JsonValue[]>();

/**
 * Records that `next` was made as `base` with items added at its end (`base.concat(items)`), so
 * serializing `next` against a version holding `base` need not prove it by comparing every old
 * item: what keeps an append O(new items) on a long array. Only for arrays of a version being
 * built, which like every committed value are never changed once made.
 */
export function markExtension(next: readonly JsonValue[], base: readonly JsonValue[]): void {
  extensions.set(next, base);
}

/** `next` is `old` with items added at the end, every old item the very same value. */
function extendsArray(old: JsonValue, next: JsonValue): next is JsonValue[] {
  if (!Array.isArray(old) || !Array.isArray(next) || old.length === 0 || next.length <= old.length) return false;
  if (extensions.get(next) === old) return true;
  for (let i = old.length - 1; i >= 0; i--) if (old[i] !== next[i]) return false;
  return true;
}
