import path from 'node:path';
import { createEngine } from '@prevention/core';
import { backup } from '@prevention/plugin-backup';
import { appender, preventionEntry } from './appenders.mjs';
import { countJson, seedJson } from './json-store.mjs';

/**
 * prevention itself, through the full default pipeline (lock → validate → backup → atomic-commit
 * → verify). `path` picks the bus's `publish` (the product's append path: shares the unchanged
 * document, validates only the new event), the generic `update` (a copy-on-write draft for the
 * updater), or the two alternating (`mixed`). With `backups`, a rotating backup strategy is
 * registered, so the backup step really saves each committed version (one more fsynced file per
 * commit).
 */
function preventionCompetitor({ id, name, note, path: appendPath, backups = false }) {
  return {
    ...preventionEntry({ id, name, note }),
    seed: seedJson,
    count: countJson,
    /** `fileSystem` replaces the engine's file system port (the profile times every call through it). */
    async open(file, { fileSystem } = {}) {
      const engine = await createEngine({
        cwd: path.dirname(file),
        config: false,
        logger: { level: 'silent' },
        plugins: backups ? [backup({ strategies: [{ type: 'rotating', keep: 5 }] })] : [],
        ...(fileSystem ? { fileSystem } : {}),
      });
      return {
        engine,
        append: appender(engine, file, appendPath),
        async close() {
          await engine.close();
        },
      };
    },
  };
}

export const preventionBus = preventionCompetitor({
  id: 'prevention-bus',
  name: 'prevention bus.publish',
  note: 'full pipeline; the append path (no document copy, validates the new event and the envelope)',
  path: 'bus',
});

export const preventionUpdate = preventionCompetitor({
  id: 'prevention-update',
  name: 'prevention update()',
  note: 'full pipeline; generic path (copy-on-write draft, what the updater added checked, the file schema run on the whole document)',
  path: 'update',
});

export const preventionMixed = preventionCompetitor({
  id: 'prevention-mixed',
  name: 'prevention update() + bus.publish',
  note: 'full pipeline; each process alternates an update() and a bus.publish on the one document',
  path: 'mixed',
});

export const preventionBusBackup = preventionCompetitor({
  id: 'prevention-bus-backup',
  name: 'prevention bus + rotating backup',
  note: 'as bus.publish, with a rotating backup strategy saving every commit',
  path: 'bus',
  backups: true,
});
