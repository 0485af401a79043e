/** What the demo's child processes tell the supervisor, over the IPC channel. */
export type AgentMessage =
  /** The agent has opened its store and starts publishing. */
  | { type: 'ready' }
  | { type: 'publishing'; n: number }
  /** The publish of event `n` resolved: it is acknowledged, so it must never be lost. */
  | { type: 'ack'; n: number }
  | { type: 'failed'; n: number; code: string }
  /** A read returned data that misses one of this agent's acknowledged events, or garbage. */
  | { type: 'corrupt-read'; detail: string }
  /** A read was refused with a typed error instead of returning bad data. */
  | { type: 'refused-read'; code: string };

/**
 * The kinds of damage the chaos process does to the file: invalid content (`truncate`,
 * `garbage`, `outside-write`: valid JSON of the wrong shape), a deletion, and valid rewrites
 * that pass the schema but drop acknowledged events (`reset` to no events, `drop-events`).
 */
export type DamageKind = 'truncate' | 'garbage' | 'outside-write' | 'reset' | 'drop-events' | 'delete';

/** What the chaos process reports. */
export type ChaosMessage =
  | { type: 'damaged'; kind: DamageKind }
  /** The file read back valid `ms` after the damage (whoever repaired it), or not within the time limit. */
  | { type: 'recovered'; kind: DamageKind; ms: number }
  | { type: 'unrecovered'; kind: DamageKind }
  | { type: 'killed'; pid: number };

/** What the supervisor tells the chaos process. */
export type ChaosCommand = { type: 'agents'; pids: number[] } | { type: 'stop' };

/** What the supervisor tells an agent. */
export type AgentCommand = { type: 'stop' };

/** The payload every demo event carries, so the verdict can find each one. */
export interface DemoPayload {
  agent: string;
  n: number;
}

/** The demo's shared context file, inside its directory. */
export const DEMO_FILE = 'shared_context.json';
