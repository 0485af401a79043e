// An audit-trail middleware: after every verified commit it appends one JSON line saying who
// changed which file, when, and to what content (sha256), so an operator can answer "what
// happened to shared_context.json at 14:02?" without diffing backups.
import { appendFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * @param {{ path: string; actor?: string }} options where the JSON Lines trail goes (absolute, or
 *   relative to the process's working directory) and who to record as the writer (default
 *   `user@host:pid`)
 * @returns {import('@prevention/core').Middleware}
 */
export function auditTrail(options) {
  const trail = path.resolve(options.path);
  const actor = options.actor ?? `${os.userInfo().username}@${os.hostname()}:${process.pid}`;
  return {
    name: 'audit-trail',
    async handle(ctx, next) {
      const started = Date.now();
      // Everything after this point in the pipeline (commit, verify) runs inside next():
      // when it returns without throwing, the new version is durable and verified.
      await next();
      if (!ctx.changed || !ctx.committed) return;
      const entry = {
        at: new Date().toISOString(),
        actor,
        file: ctx.file,
        kind: ctx.kind,
        sha256: ctx.sha256,
        previousSha256: ctx.current?.sha256 ?? null,
        bytes: ctx.bytes?.length ?? 0,
        ms: Date.now() - started,
      };
      await mkdir(path.dirname(trail), { recursive: true });
      // One write per line, O_APPEND: concurrent processes never interleave inside a line.
      await appendFile(trail, `${JSON.stringify(entry)}\n`);
    },
  };
}
