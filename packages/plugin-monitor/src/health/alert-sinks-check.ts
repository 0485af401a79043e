import type { EngineApi } from '@prevention/core';
import type { HealthCheck, HealthResult } from './health-check.js';

/** A sink that does not answer its health check within this long counts as failing. */
const SINK_TIMEOUT_MS = 5_000;

/** `alert-sinks`: every alert sink registered in the engine answers its health check. */
export class AlertSinksCheck implements HealthCheck {
  readonly name = 'alert-sinks';

  constructor(private readonly engine: EngineApi) {}

  async run(): Promise<HealthResult[]> {
    return Promise.all(
      this.engine.alertSinks().map(async (sink): Promise<HealthResult> => {
        const details = { sink: sink.name };
        if (!sink.health) return { check: this.name, status: 'ok', message: `alert sink ${sink.name} has no health check`, details };
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${SINK_TIMEOUT_MS} ms`)), SINK_TIMEOUT_MS);
        });
        try {
          const health = await Promise.race([sink.health(), timeout]);
          return { check: this.name, status: health.ok ? 'ok' : 'fail', message: `alert sink ${sink.name}: ${health.message}`, details };
        } catch (err) {
          return { check: this.name, status: 'fail', message: `alert sink ${sink.name} is unhealthy: ${(err as Error).message}`, details };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }
}
