import type { DemoPayload } from './messages.js';

/** What a read of the shared context gave an agent. */
export type ReadOutcome = { ok: true; events: DemoPayload[] } | { ok: false; corrupt: boolean; code: string };

/** How a demo agent publishes to and reads the shared context: through prevention, or naively. */
export interface AgentStore {
  /** Publishes one event; resolves once the store says it is written (the acknowledgement). */
  publish(payload: DemoPayload): Promise<void>;
  /** Reads every event's payload. */
  read(): Promise<ReadOutcome>;
  close(): Promise<void>;
}

/** The demo events' payloads among `events`, skipping anything else in the file. */
export function demoPayloads(events: ReadonlyArray<{ payload?: unknown }>): DemoPayload[] {
  const payloads: DemoPayload[] = [];
  for (const event of events) {
    const payload = event.payload as Partial<DemoPayload> | null | undefined;
    if (payload && typeof payload.agent === 'string' && typeof payload.n === 'number') payloads.push({ agent: payload.agent, n: payload.n });
  }
  return payloads;
}
