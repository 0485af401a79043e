/** How bad an alert is. */
export type AlertSeverity = 'info' | 'warning' | 'critical';

/** One alert, as routed to sinks. */
export interface Alert {
  /** Rule name, for example `corruption-detected`. */
  name: string;
  severity: AlertSeverity;
  /** Identifying labels (file, check, ...); with `name` they form the fingerprint. */
  labels: Record<string, string>;
  /** One line for humans. */
  summary: string;
  /** More context. */
  details: Record<string, unknown>;
  startsAt: string;
  /** When it ended; on a firing alert that resolves by itself, when it will unless it happens again. */
  endsAt?: string;
  status: 'firing' | 'resolved';
  /** Stable identity for dedupe: the same problem always has the same fingerprint. */
  fingerprint: string;
}

/** Result of a sink's health check. */
export interface SinkHealth {
  ok: boolean;
  message: string;
}

/**
 * The AlertSink port: somewhere alerts are delivered (a file, Slack, email, a webhook).
 * `send` may be slow or fail; the alert router calls it off the write path.
 */
export interface AlertSink {
  /** Unique name of this sink instance. */
  readonly name: string;
  /** Delivers a group of alerts as one notification. Rejects when delivery failed. */
  send(alerts: Alert[], signal?: AbortSignal): Promise<void>;
  /** Checks the sink can deliver (for example an SMTP `verify`). */
  health?(): Promise<SinkHealth>;
  /** Flushes and releases resources. */
  close(): Promise<void>;
}
