import { createHash, type Hash } from 'node:crypto';
import type { JsonObject, JsonValue } from '../contract.js';

/** Serializes a document the way prevention writes it: indented as configured, newline-terminated. */
export function serializeDocument(document: JsonValue, indent: number): Buffer {
  return Buffer.from(`${JSON.stringify(document, null, indent || undefined)}\n`, 'utf8');
}

/** A version's bytes with what the next serialization needs to reuse them. */
export interface SerializedVersion {
  bytes: Buffer;
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

/**
 * Where an object document's members sit in the bytes this module made for it, and the sha256
 * state after the items of its longest array: the point where an append to that array diverges.
 */
interface Layout {
  indent: number;
  bytes: Buffer;
  sha256: string;
  members: Member[];
  hashed: { at: number; state: Hash } | undefined;
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
    return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), unchangedPrefix: 0 };
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
  let appendPoint: { at: number; length: number } | undefined;
  const push = (piece: Buffer | string, fromBase: boolean): void => {
    pieces.push(piece);
    const length = typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
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
      push(reusable!.bytes.subarray(old.start, old.end), true);
    } else if (old && old.key === key && extendsArray(old.value, value)) {
      // Up to the old last item, then the new items, then the closing bracket.
      const closing = pad ? `\n${pad}]` : ']';
      push(reusable!.bytes.subarray(old.start, old.end - closing.length), true);
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
      appendPoint = { at: offset - (pad ? pad.length + 2 : 1), length: value.length };
    }
  });
  push(close, false);

  const bytes = pieces.length === 1 && typeof pieces[0] === 'string' ? Buffer.from(pieces[0]) : Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)), offset);
  const from = reusable?.hashed && reusable.hashed.at <= unchangedPrefix ? reusable.hashed : undefined;
  const state = from ? from.state.copy() : createHash('sha256');
  let hashedTo = from ? from.at : 0;
  let hashed: Layout['hashed'];
  if (appendPoint && appendPoint.at >= hashedTo) {
    state.update(bytes.subarray(hashedTo, appendPoint.at));
    hashedTo = appendPoint.at;
    hashed = { at: hashedTo, state: state.copy() };
  }
  const sha256 = state.update(bytes.subarray(hashedTo)).digest('hex');
  layouts.set(document, { indent, bytes, sha256, members, hashed });
  return { bytes, sha256, unchangedPrefix };
}

/** `next` is `old` with items added at the end, every old item the very same value. */
function extendsArray(old: JsonValue, next: JsonValue): next is JsonValue[] {
  if (!Array.isArray(old) || !Array.isArray(next) || old.length === 0 || next.length <= old.length) return false;
  for (let i = old.length - 1; i >= 0; i--) if (old[i] !== next[i]) return false;
  return true;
}
