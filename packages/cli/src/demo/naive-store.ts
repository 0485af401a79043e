// The naive agent is the contrast: it must do what agents did before prevention, with plain
// readFile/writeFile and no port in between.
// eslint-disable-next-line no-restricted-imports
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { demoPayloads, type AgentStore, type ReadOutcome } from './agent-store.js';
import { DEMO_FILE, type DemoPayload } from './messages.js';

interface NaiveContext {
  version?: number;
  events: Array<Record<string, unknown>>;
}

/**
 * An agent the way shared context files were written before prevention: read, parse, append,
 * `writeFile` in place. An unreadable file is taken as empty, as the earlier buses did, so
 * a torn write or an outside edit silently costs every event before it; two agents that read
 * the same version overwrite each other's appends.
 */
export class NaiveStore implements AgentStore {
  private readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, DEMO_FILE);
  }

  private async load(): Promise<{ context: NaiveContext; corrupt: boolean }> {
    try {
      const context = JSON.parse(await readFile(this.file, 'utf8')) as NaiveContext;
      if (Array.isArray(context?.events)) return { context, corrupt: false };
      return { context: { version: 1, events: [] }, corrupt: true };
    } catch {
      return { context: { version: 1, events: [] }, corrupt: true };
    }
  }

  async publish(payload: DemoPayload): Promise<void> {
    const { context } = await this.load();
    context.events.push({ id: randomUUID(), seq: context.events.length + 1, type: 'demo.step', source: payload.agent, timestamp: new Date().toISOString(), payload: { ...payload } });
    await writeFile(this.file, JSON.stringify(context, null, 2));
  }

  async read(): Promise<ReadOutcome> {
    const { context, corrupt } = await this.load();
    if (corrupt) return { ok: false, corrupt: true, code: 'unparseable file taken as empty' };
    return { ok: true, events: demoPayloads(context.events as Array<{ payload?: unknown }>) };
  }

  async close(): Promise<void> {}
}
