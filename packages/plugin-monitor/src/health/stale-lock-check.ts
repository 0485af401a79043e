import type { EngineApi, FileLocker } from '@prevention/core';
import type { EmitEvent } from '../integrity-checker.js';
import type { HealthCheck, HealthResult } from './health-check.js';

/**
 * `stale-lock`: no file's lock is older than its stale limit. A live holder refreshes its lock
 * well within that limit, so an older one was left by a dead or frozen process: it is removed
 * (writers would otherwise wait for it) and reported, also as `lock:stale-recovered`.
 */
export class StaleLockCheck implements HealthCheck {
  readonly name = 'stale-lock';

  constructor(
    private readonly engine: EngineApi,
    private readonly locker: FileLocker,
    private readonly emit: EmitEvent,
  ) {}

  async run(files: readonly string[]): Promise<HealthResult[]> {
    return Promise.all(files.map((file) => this.check(file)));
  }

  private async check(file: string): Promise<HealthResult> {
    const { staleMs } = (await this.engine.settings(file)).lock;
    const state = await this.locker.inspect(file);
    if (!state.held || state.ageMs === undefined || state.ageMs <= staleMs) {
      return { check: this.name, status: 'ok', file, message: `no stale lock on ${file}` };
    }
    const removed = await this.locker.removeStale(file, staleMs);
    const details = { lockPath: state.lockPath, ageMs: state.ageMs, staleMs, removed };
    if (!removed) return { check: this.name, status: 'ok', file, message: `the stale lock on ${file} was released meanwhile`, details };
    this.emit('lock:stale-recovered', { file, lockPath: state.lockPath, ageMs: state.ageMs });
    return { check: this.name, status: 'warn', file, message: `removed a stale lock on ${file} (${Math.round(state.ageMs / 1000)} s old, left by a dead or frozen process)`, details };
  }
}
