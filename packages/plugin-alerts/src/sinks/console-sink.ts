import type { Alert, AlertSink, Logger } from '@prevention/core';
import { alertLine } from './alert-text.js';
import type { CommonSinkOptions, SinkDefinition } from './sink-definition.js';

const LEVEL = { critical: 'error', warning: 'warn', info: 'info' } as const;

/** Writes alerts to the engine's pino logger: critical as `error`, warning as `warn`, info and resolutions as `info`. */
export class ConsoleAlertSink implements AlertSink {
  constructor(
    readonly name: string,
    private readonly logger: Logger,
  ) {}

  async send(alerts: Alert[]): Promise<void> {
    for (const alert of alerts) {
      const level = alert.status === 'resolved' ? 'info' : LEVEL[alert.severity];
      this.logger[level]({ alert }, alertLine(alert));
    }
  }

  async close(): Promise<void> {}
}

/** A sink that logs alerts through pino. */
export function consoleSink(options: CommonSinkOptions = {}): SinkDefinition {
  const name = options.name ?? 'console';
  return { name, sendResolved: options.sendResolved ?? true, create: ({ logger }) => new ConsoleAlertSink(name, logger.child({ sink: name })) };
}
