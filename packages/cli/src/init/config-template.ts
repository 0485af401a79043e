/** The formats `prevention init` can write the config in. */
export type ConfigFormat = 'ts' | 'mjs';

/** The config file name for a format. */
export function configFileName(format: ConfigFormat): string {
  return `prevention.config.${format}`;
}

/**
 * The commented starting config `prevention init` writes: one shared context file with its
 * schema, the full pipeline, backups, the monitor and file alerts. Every line says what it
 * does, so the file doubles as a short reference. The text is valid TypeScript and JavaScript.
 */
export function configTemplate(options: { file: string; schema: string }): string {
  return `// prevention config: which JSON files prevention manages, and how.
// Every key is optional; run \`prevention check\` after editing to validate it.
import { defineConfig } from '@prevention/core';
import backup from '@prevention/plugin-backup';
import monitor from '@prevention/plugin-monitor';
import alerts, { fileSink } from '@prevention/plugin-alerts';

export default defineConfig({
  // The managed files. Paths are relative to this config file; each entry can override any
  // top-level setting below (schema, limits, pipeline, lock, backup, onCorrupt, onOutsideWrite).
  files: [
    {
      path: ${JSON.stringify(options.file)},
      // Every write must pass this JSON Schema (draft-07, or 2020-12 when $schema says so).
      schema: ${JSON.stringify(options.schema)},
      // What a missing file starts as.
      initial: { version: 1, events: [] },
    },
  ],

  // The steps of every write, in order; custom middleware objects can go anywhere in it.
  // "atomic-commit" is required: temp file, fsync, rename, fsync of the directory.
  pipeline: ['lock', 'validate', 'backup', 'atomic-commit', 'verify'],

  // Give up waiting for another writer after 30 s; take over a lock not refreshed for 10 s
  // (its holder died).
  lock: { timeoutMs: 30_000, staleMs: 10_000 },

  // A file found corrupt on load is restored from its newest valid backup ('fail' refuses instead).
  onCorrupt: 'restore',

  // Valid content that is not the last commit prevention made (a script rewrote the file) is put
  // back to that commit, the outside version kept in quarantine. 'accept' adopts it with an alert
  // naming the events it dropped; 'alert-only' reports it and refuses writes until you decide.
  onOutsideWrite: 'restore',

  // Refuse files larger than 64 MiB or nested deeper than 256 levels.
  maxBytes: 64 * 1024 * 1024,
  maxDepth: 256,

  plugins: [
    // Keep the last 20 versions, and one snapshot a day for a week.
    backup({ strategies: [{ type: 'rotating', keep: 20 }, { type: 'timestamped', keepDaily: 7 }] }),
    // Watches the files, repairs corruption from backups: run it with \`prevention monitor\`.
    monitor(),
    // Alerts (corruption, repairs, failed backups) as JSON Lines; add slackSink or emailSink here.
    alerts({ sinks: [fileSink({ path: 'logs/alerts.jsonl' })] }),
  ],
});
`;
}
