/**
 * The demo's chaos, run as its own process: `node chaos-process.js <dir> <seed>`. It damages the
 * shared context from outside, the way real accidents do (a truncation, garbage from a crashed
 * tool, a script overwriting the file in place, a script resetting it or dropping events with
 * valid JSON that passes the schema, a deletion), and SIGKILLs agents in the middle of their
 * work. After each damage it watches the file until it reads back valid and holds every event it
 * held before, which measures the repair time as any outside reader would see it.
 */
// The chaos process is the outside world: it must bypass prevention entirely.
// eslint-disable-next-line no-restricted-imports
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DEMO_FILE, type ChaosCommand, type ChaosMessage, type DamageKind } from './messages.js';
import { SeededRandom } from './random.js';

const RECOVERY_LIMIT_MS = 15_000;
const [dir, seedText] = process.argv.slice(2) as [string, string];
const file = path.join(dir, DEMO_FILE);
const random = new SeededRandom(Number(seedText));
let agents: number[] = [];
let stopping = false;
process.on('message', (message: ChaosCommand) => {
  if (message.type === 'agents') agents = message.pids;
  else stopping = true;
});
process.on('disconnect', () => (stopping = true));
process.on('SIGINT', () => (stopping = true));

function tell(message: ChaosMessage): void {
  if (process.connected) process.send!(message);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The file as a usable shared context (what any outside reader needs), or undefined. */
async function readContext(): Promise<{ events: unknown[] } | undefined> {
  try {
    const context = JSON.parse(await readFile(file, 'utf8')) as { events?: unknown };
    return typeof context === 'object' && context !== null && Array.isArray(context.events) ? (context as { events: unknown[] }) : undefined;
  } catch {
    return undefined;
  }
}

/** Rewrites the file in place with valid JSON that keeps the shape but not all the events. */
async function rewriteEvents(keep: (events: unknown[]) => unknown[]): Promise<void> {
  const context = await readContext();
  if (!context) throw new Error('the file is already damaged');
  await writeFile(file, JSON.stringify({ ...context, events: keep(context.events) }));
}

/** Damages the file; returns how many events it held before (a repair must bring them back). */
async function damage(kind: DamageKind): Promise<number> {
  const before = (await readContext())?.events.length ?? 0;
  await inflict(kind);
  return before;
}

async function inflict(kind: DamageKind): Promise<void> {
  switch (kind) {
    case 'truncate': {
      // Cut in place, like a writer that died mid-write or a full disk.
      const handle = await open(file, 'r+');
      try {
        const { size } = await handle.stat();
        await handle.truncate(random.int(0, Math.max(0, size - 1)));
      } finally {
        await handle.close();
      }
      return;
    }
    case 'garbage':
      await writeFile(file, randomBytes(random.int(16, 512)));
      return;
    case 'outside-write':
      // Valid JSON, wrong shape: a script that "resets" the file its own way.
      await writeFile(file, JSON.stringify({ events: 'rewritten by a maintenance script', note: 'oops' }));
      return;
    case 'reset':
      await rewriteEvents(() => []);
      return;
    case 'drop-events':
      await rewriteEvents((events) => events.filter(() => random.int(0, 1) === 0));
      return;
    case 'delete':
      await rm(file, { force: true });
      return;
  }
}

async function damageAndWatch(kind: DamageKind): Promise<void> {
  let before: number;
  try {
    before = await damage(kind);
  } catch {
    return; // The file was being replaced at that instant; nothing was damaged.
  }
  tell({ type: 'damaged', kind });
  const started = performance.now();
  while (performance.now() - started < RECOVERY_LIMIT_MS) {
    if (((await readContext())?.events.length ?? -1) >= before) {
      tell({ type: 'recovered', kind, ms: performance.now() - started });
      return;
    }
    await sleep(5);
  }
  tell({ type: 'unrecovered', kind });
}

// Let the agents write a first version (and its backup) before anything goes wrong.
while (!stopping && !(await readContext())) await sleep(50);
while (!stopping) {
  await sleep(random.int(300, 900));
  if (stopping) break;
  const action = random.weighted<DamageKind | 'kill'>([
    ['truncate', 3],
    ['garbage', 2],
    ['outside-write', 2],
    ['reset', 1.5],
    ['drop-events', 1.5],
    ['delete', 1],
    ['kill', 1.2],
  ]);
  if (action !== 'kill') {
    await damageAndWatch(action);
  } else if (agents.length > 0) {
    const pid = agents[random.int(0, agents.length - 1)]!;
    try {
      process.kill(pid, 'SIGKILL');
      tell({ type: 'killed', pid });
    } catch {
      // Already gone.
    }
  }
}
process.disconnect?.();
