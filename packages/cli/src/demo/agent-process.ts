/**
 * One demo agent, run as its own process: `node agent-process.js <dir> <name> <seed> <prevention|naive>`.
 * It publishes numbered events to the shared context with short random pauses, reports each
 * acknowledgement to the supervisor over IPC, and every few events reads the file back to
 * check that everything it was told is written is there. It stops on the supervisor's `stop`,
 * on SIGTERM, or when the supervisor goes away.
 */
import { isPreventionError } from '@prevention/core';
import type { AgentStore } from './agent-store.js';
import type { AgentCommand, AgentMessage } from './messages.js';
import { NaiveStore } from './naive-store.js';
import { PreventionStore } from './prevention-store.js';
import { SeededRandom } from './random.js';

const [dir, name, seedText, mode] = process.argv.slice(2) as [string, string, string, string];
const random = new SeededRandom(Number(seedText));
let stopping = false;
const stop = (): void => {
  stopping = true;
};
process.on('message', (message: AgentCommand) => message.type === 'stop' && stop());
// Ctrl-C in the terminal reaches every process of the demo: agents stop in order, like on SIGTERM.
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);

function tell(message: AgentMessage): void {
  if (process.connected) process.send!(message);
}

/** Checks that every acknowledged event of this agent is in what was read, exactly once. */
async function verifyRead(store: AgentStore, acked: ReadonlySet<number>): Promise<void> {
  const outcome = await store.read();
  if (!outcome.ok) {
    tell(outcome.corrupt ? { type: 'corrupt-read', detail: outcome.code } : { type: 'refused-read', code: outcome.code });
    return;
  }
  const seen = new Map<number, number>();
  for (const event of outcome.events) if (event.agent === name) seen.set(event.n, (seen.get(event.n) ?? 0) + 1);
  const missing = [...acked].filter((n) => seen.get(n) !== 1);
  if (missing.length > 0) tell({ type: 'corrupt-read', detail: `${missing.length} acknowledged event(s) of ${name} missing or repeated` });
}

const store: AgentStore = mode === 'naive' ? new NaiveStore(dir) : await PreventionStore.open(dir);
const acked = new Set<number>();
tell({ type: 'ready' });
for (let n = 1; !stopping; n++) {
  tell({ type: 'publishing', n });
  try {
    await store.publish({ agent: name, n });
    acked.add(n);
    tell({ type: 'ack', n });
  } catch (err) {
    // Not acknowledged, so not counted; a later event gets a new number, never this one again,
    // so a publish that failed after all can not appear twice.
    tell({ type: 'failed', n, code: isPreventionError(err) ? err.code : String((err as Error)?.message ?? err) });
  }
  if (n % 5 === 0) await verifyRead(store, acked);
  await new Promise((resolve) => setTimeout(resolve, random.int(10, 60)));
}
await store.close();
process.disconnect?.();
