import type { Alert } from '@prevention/core';

/** `key=value` pairs of the labels, in key order. */
export function labelText(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(' ');
}

/** The one-line title of a notification: `[FIRING:2] corruption-detected` or `[RESOLVED] ...`. */
export function notificationTitle(alerts: readonly Alert[]): string {
  const firing = alerts.filter((alert) => alert.status === 'firing').length;
  const names = [...new Set(alerts.map((alert) => alert.name))].join(', ');
  return firing > 0 ? `[FIRING:${firing}] ${names}` : `[RESOLVED] ${names}`;
}

/** A plain-text line for one alert. */
export function alertLine(alert: Alert): string {
  const state = alert.status === 'resolved' ? 'RESOLVED' : alert.severity.toUpperCase();
  return `${state} ${alert.name} (${labelText(alert.labels)}): ${alert.summary}`;
}

/**
 * When an alert started and when it ended; a firing alert that resolves by itself (an occurrence,
 * such as a file restored) carries in `endsAt` the time it will.
 */
export function alertTimes(alert: Alert): string {
  if (!alert.endsAt) return `since ${alert.startsAt}`;
  return `since ${alert.startsAt}, ${alert.status === 'resolved' ? 'ended' : 'ends by itself at'} ${alert.endsAt}`;
}

/** Plain-text body: the title, then each alert with its times and details. */
export function notificationText(alerts: readonly Alert[]): string {
  const blocks = alerts.map((alert) =>
    [
      alertLine(alert),
      `  ${alertTimes(alert)}`,
      ...Object.entries(alert.details).map(([key, value]) => `  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`),
    ].join('\n'),
  );
  return [notificationTitle(alerts), '', ...blocks].join('\n');
}
