import type { Alert } from '@prevention/core';

/** Labels every alert has with the same value. */
function commonLabels(alerts: readonly Alert[]): Record<string, string> {
  const [first, ...rest] = alerts.map((alert) => ({ name: alert.name, ...alert.labels }));
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([key, value]) => rest.every((labels) => (labels as Record<string, string>)[key] === value)));
}

/**
 * The JSON body of a webhook notification, shaped like Alertmanager's webhook payload
 * (version 4) so existing receivers understand it. `name` is also given as the `alertname` label.
 */
export function webhookPayload(receiver: string, alerts: readonly Alert[]): Record<string, unknown> {
  const common = commonLabels(alerts);
  return {
    version: '4',
    receiver,
    status: alerts.some((alert) => alert.status === 'firing') ? 'firing' : 'resolved',
    groupLabels: common,
    commonLabels: common,
    alerts: alerts.map((alert) => ({
      status: alert.status,
      labels: { alertname: alert.name, severity: alert.severity, ...alert.labels },
      annotations: { summary: alert.summary },
      details: alert.details,
      startsAt: alert.startsAt,
      endsAt: alert.endsAt ?? '0001-01-01T00:00:00Z',
      fingerprint: alert.fingerprint,
    })),
  };
}
