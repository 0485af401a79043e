import { competitors } from '../competitors/index.mjs';
import { concurrentAppends } from '../harness.mjs';

/**
 * Workload 2: 1,000 appends issued at once from one process, on a 1,000-event file. prevention
 * coalesces them into a few commits (group commit); the unlocked libraries race themselves and
 * lose updates; SQLite runs them one transaction each. For the engine, the commits it used are
 * counted from its `commit` events.
 */
export const GROUP_SIZE = 1_000;
export const GROUP_FILE_EVENTS = 1_000;

/**
 * proper-lockfile is a cross-process lock: 1,000 callers in one process each polling its lock
 * directory did not finish in 5 minutes here, so the burst is not run for it (in one process its
 * users queue writes themselves). Its multi-process numbers are in workload 3.
 */
export const NOT_IN_BURST = new Set(['lockfile-write-file-atomic']);

export async function groupCommit({ quick = false, log = () => {} } = {}) {
  const count = quick ? 20 : GROUP_SIZE;
  const rows = [];
  for (const competitor of competitors.filter((c) => !NOT_IN_BURST.has(c.id))) {
    log(`group commit: ${competitor.id}, ${count} appends at once`);
    const result = await concurrentAppends(competitor, {
      size: GROUP_FILE_EVENTS,
      count,
      onOpen: (store) => {
        if (!store.engine) return undefined;
        let commits = 0;
        store.engine.on('commit', () => commits++);
        // The warm-up append before the burst is one commit.
        return () => commits - 1;
      },
    });
    rows.push({ id: competitor.id, name: competitor.name, count, ...result, commits: result.observed });
  }
  return rows;
}
