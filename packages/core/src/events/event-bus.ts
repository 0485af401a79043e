import type { PreventionError, ValidationIssue } from '../errors.js';
import type { Logger } from '../logging/logger.js';

/** What each engine event carries. */
export interface EngineEventMap {
  /** A commit is durable and verified. */
  commit: { file: string; sha256: string; bytes: number; changes: number; durationMs: number };
  /** A commit failed; nothing was written. */
  'commit:failed': { file: string; error: PreventionError; changes: number };
  /** A lock left by a dead or frozen holder was taken over. */
  'lock:stale-recovered': { file: string; lockPath: string; ageMs: number };
  /** A change was refused by validation. */
  'validate:failed': { file: string; issues: ValidationIssue[] };
  /** A backup was saved. */
  'backup:created': { file: string; strategy: string; id: string; sha256: string; bytes: number };
  /** A backup strategy failed. */
  'backup:failed': { file: string; strategy: string; error: PreventionError; required: boolean };
  /** The file was found corrupt (by the engine on load, or by the monitor). */
  'corruption:detected': { file: string; kind: string; message: string; details?: Record<string, unknown> };
  /**
   * A valid outside write was adopted as the current version (`onOutsideWrite: accept`), by a
   * writer or the monitor. `dropped` counts the events of the last commit that the adopted
   * version no longer has (with their ids, at most 20), so an alert can say what was lost.
   */
  'outside-write:accepted': { file: string; sha256: string; lastCommitSha256: string; dropped: { count: number; ids: string[] } };
  /**
   * An operation was refused because a directory prevention works in (a managed file's, or a
   * folder of its own) is now reached through a symbolic link that appeared after start-up.
   */
  'path:redirected': { path: string; leadsTo: string; expected: string };
  /** A file was restored from a backup. */
  'restore:completed': { file: string; strategy: string; backupId: string; sha256: string; quarantined?: string };
  /** A health check result. */
  health: { check: string; status: 'ok' | 'warn' | 'fail'; message: string; file?: string; details?: Record<string, unknown> };
}

/** An engine event name. */
export type EngineEventName = keyof EngineEventMap;

/** Subscribing to and emitting engine events. */
export interface EngineEvents {
  /** Adds a listener; returns a function that removes it. */
  on<E extends EngineEventName>(event: E, listener: (payload: EngineEventMap[E]) => void): () => void;
  emit<E extends EngineEventName>(event: E, payload: EngineEventMap[E]): void;
}

/**
 * The engine's typed event bus. A throwing listener is logged and never reaches the code that
 * emitted, so an observer can not break a commit.
 */
export class EventBus implements EngineEvents {
  private readonly listeners = new Map<EngineEventName, Set<(payload: never) => void>>();

  constructor(private readonly logger: Logger) {}

  on<E extends EngineEventName>(event: E, listener: (payload: EngineEventMap[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => {
      set.delete(listener as (payload: never) => void);
    };
  }

  emit<E extends EngineEventName>(event: E, payload: EngineEventMap[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (payload: EngineEventMap[E]) => void)(payload);
      } catch (err) {
        this.logger.error({ err, event }, 'an engine event listener threw; the engine carries on');
      }
    }
  }
}
