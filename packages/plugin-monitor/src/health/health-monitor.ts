import type { EngineEventMap, Logger } from '@prevention/core';
import type { EmitEvent } from '../integrity-checker.js';
import type { MonitorMetrics } from '../monitor-metrics.js';
import type { HealthCheck, HealthResult } from './health-check.js';

const LEVEL: Record<HealthResult['status'], number> = { ok: 0, warn: 1, fail: 2 };

function keyOf(result: HealthResult): string {
  return `${result.check}\u0000${result.file ?? ''}\u0000${JSON.stringify(result.details?.dir ?? result.details?.sink ?? '')}`;
}

/**
 * Runs the health checks and publishes each result as a `health` event (which the alerts plugin
 * turns into firing and resolved alerts). It logs only changes of status, never a line per run.
 */
export class HealthMonitor {
  private readonly last = new Map<string, HealthResult['status']>();

  constructor(
    private readonly checks: readonly HealthCheck[],
    private readonly emit: EmitEvent,
    private readonly metrics: MonitorMetrics,
    private readonly logger: Logger,
  ) {}

  async run(files: readonly string[]): Promise<HealthResult[]> {
    const results: HealthResult[] = [];
    for (const check of this.checks) {
      try {
        results.push(...(await check.run(files)));
      } catch (err) {
        results.push({ check: check.name, status: 'fail', message: `the ${check.name} health check could not run: ${(err as Error).message}` });
      }
    }
    for (const result of results) this.publish(result);
    return results;
  }

  private publish(result: EngineEventMap['health']): void {
    const key = keyOf(result);
    const before = this.last.get(key);
    this.last.set(key, result.status);
    this.metrics.health.set({ check: result.check, file: result.file ?? '' }, LEVEL[result.status]);
    if (before !== result.status && !(before === undefined && result.status === 'ok')) {
      const log = result.status === 'ok' ? this.logger.info.bind(this.logger) : this.logger.warn.bind(this.logger);
      log({ check: result.check, file: result.file, status: result.status, details: result.details }, result.message);
    }
    this.emit('health', result);
  }
}
