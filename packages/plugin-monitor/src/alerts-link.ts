import type { Engine } from '@prevention/core';

/** The part of `@prevention/plugin-alerts`' service the monitor uses, when that plugin is present. */
interface AlertsService {
  resolve(name: string, labels: Record<string, string>, summary?: string): void;
}

/**
 * The alert no engine event expresses: a corruption that ended without a restore (fixed by
 * hand under `alert-only`). Everything else the monitor reports through engine events, which the
 * alerts plugin maps itself. Without the alerts plugin this is a no-op (the monitor logs it anyway).
 */
export class AlertsLink {
  constructor(private readonly engine: Engine) {}

  corruptionEnded(file: string, summary = `${file} is intact again`): void {
    this.service()?.resolve('corruption-detected', { file }, summary);
  }

  private service(): AlertsService | undefined {
    try {
      return this.engine.plugin<AlertsService>('alerts');
    } catch {
      return undefined;
    }
  }
}
