import { readFile, writeFile } from 'node:fs/promises';
import { seedBytes } from '../events.mjs';
import { toStored } from '../events.mjs';

/**
 * What every competitor that keeps the events in one JSON file shares: seeding the file, counting
 * its events, and the read → parse → append → stringify cycle that a library without its own
 * append path forces on its caller. Each such competitor only supplies how it writes (and locks).
 */

const seeded = new Map();

/** Writes the shared context with `count` events; generated once per size, then copied. */
export async function seedJson(file, count) {
  if (!seeded.has(count)) seeded.set(count, seedBytes(count));
  await writeFile(file, seeded.get(count));
}

/** Events in the file; throws if it does not parse (a torn or corrupt file). */
export async function countJson(file) {
  return JSON.parse(await readFile(file, 'utf8')).events.length;
}

/** The next document text: `input` appended after the newest event, indented like the seed. */
export function appendToText(text, input) {
  const doc = JSON.parse(text);
  doc.events.push(toStored(input, (doc.events.at(-1)?.seq ?? 0) + 1));
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * A competitor that rewrites the whole JSON file per append with `write(file, text)`, optionally
 * holding `lock(file)` (which resolves to a release function) across the read and the write.
 */
export function jsonFileCompetitor({ id, name, note, safeAcrossProcesses = false, write, lock }) {
  return {
    id,
    name,
    note,
    safeAcrossProcesses,
    extension: 'json',
    seed: seedJson,
    count: countJson,
    async open(file) {
      return {
        async append(input) {
          const release = lock ? await lock(file) : undefined;
          try {
            await write(file, appendToText(await readFile(file, 'utf8'), input));
          } finally {
            await release?.();
          }
        },
        async close() {},
      };
    },
  };
}
