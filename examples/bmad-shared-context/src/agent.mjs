// One agent of the team, in its own process: `node src/agent.mjs <role> <count>`.
// - architect: publishes `count` designs (design.ready);
// - developer: builds each design it sees (build.done);
// - reviewer: reviews each build it sees (review.approved).
// Each follows the bus from the start, answers in the same conversation (correlationId), and
// exits once it has handled `count` events. Nothing is shared but the file.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '@prevention/core';

export const SHARED_CONTEXT = 'bmad/agents/core/shared_context.json';
const ROLES = {
  architect: { listensTo: undefined, publishes: 'design.ready' },
  developer: { listensTo: 'design.ready', publishes: 'build.done' },
  reviewer: { listensTo: 'build.done', publishes: 'review.approved' },
};

const [role, countText] = process.argv.slice(2);
const count = Number(countText);
const { listensTo, publishes } = ROLES[role];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const engine = await createEngine({ cwd: root, logger: { level: 'warn' } });
const bus = engine.bus(SHARED_CONTEXT);

if (!listensTo) {
  for (let n = 1; n <= count; n++) {
    await bus.publish({ type: publishes, source: role, payload: { story: `story-${n}` }, correlationId: `story-${n}` });
  }
  await engine.close();
} else {
  let handled = 0;
  await new Promise((resolve) => {
    // since: 0 replays what was published before this agent started, then follows live.
    const stop = bus.subscribe(
      async (event) => {
        await bus.publish({ type: publishes, source: role, payload: { ...event.payload, after: event.seq }, correlationId: event.correlationId });
        if (++handled === count) {
          stop();
          resolve();
        }
      },
      { since: 0, types: [listensTo] },
    );
  });
  await engine.close();
}
