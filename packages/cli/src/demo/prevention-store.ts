import { createEngine, isPreventionError, type EngineApi, type MessageBusApi } from '@prevention/core';
import { demoPayloads, type AgentStore, type ReadOutcome } from './agent-store.js';
import { DEMO_FILE, type DemoPayload } from './messages.js';

/** An agent that goes through prevention: the project's config, the engine, the message bus. */
export class PreventionStore implements AgentStore {
  private constructor(
    private readonly engine: EngineApi,
    private readonly bus: MessageBusApi,
  ) {}

  static async open(dir: string): Promise<PreventionStore> {
    const engine = await createEngine({
      cwd: dir,
      logger: { level: 'silent' },
      // The monitor runs as its own daemon; agents only publish.
      background: false,
    });
    return new PreventionStore(engine, engine.bus(DEMO_FILE));
  }

  async publish(payload: DemoPayload): Promise<void> {
    await this.bus.publish({ type: 'demo.step', source: payload.agent, payload: { ...payload } });
  }

  async read(): Promise<ReadOutcome> {
    try {
      return { ok: true, events: demoPayloads(await this.bus.events()) };
    } catch (err) {
      // A corrupt file is refused with a typed error: the agent never sees garbage.
      return { ok: false, corrupt: false, code: isPreventionError(err) ? err.code : String(err) };
    }
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}
