import type { Engine } from '@prevention/core';

/** The part of `@prevention/plugin-alerts`' service the monitor uses, when that plugin is present. */
interface AlertsService {
  raise(signal: { name: string; severity: 'info' | 'warning' | 'critical'; labels: Record<string, string>; summary: string; details?: Record<string, unknown>; resolveAfterMs?: number }): void;
  resolve(name: string, labels: Record<string, string>, summary?: string): void;
}

/** Accepted outside writes are an occurrence, not a lasting state: resolve their alert after this long. */
const OCCURRENCE_MS = 5 * 60_000;

/**
 * Alerts that no engine event expresses: an outside write accepted as the baseline, and a
 * corruption that ended without a restore (fixed by hand under `alert-only`). Everything else
 * the monitor reports through engine events, which the alerts plugin maps itself. Without the
 * alerts plugin these are no-ops (the monitor logs them anyway).
 */
export class AlertsLink {
  constructor(private readonly engine: Engine) {}

  acceptedOutsideWrite(file: string, details: Record<string, unknown>): void {
    this.service()?.raise({
      name: 'outside-write-accepted',
      severity: 'warning',
      labels: { file },
      summary: `${file} was changed outside prevention; the valid new content was accepted as the baseline`,
      details,
      resolveAfterMs: OCCURRENCE_MS,
    });
  }

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
