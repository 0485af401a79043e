import type { Alert } from '@prevention/core';
import { alertTimes, labelText, notificationText, notificationTitle } from './alert-text.js';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const COLOR = { critical: '#b00020', warning: '#b26a00', info: '#1d4ed8', resolved: '#15803d' } as const;

/** Subject, plain-text and HTML bodies of the email for a notification. */
export function emailMessage(alerts: readonly Alert[], subjectPrefix: string): { subject: string; text: string; html: string } {
  const rows = alerts
    .map((alert) => {
      const color = alert.status === 'resolved' ? COLOR.resolved : COLOR[alert.severity];
      const details = Object.entries(alert.details)
        .map(([key, value]) => `<li><b>${escapeHtml(key)}</b>: ${escapeHtml(typeof value === 'string' ? value : JSON.stringify(value))}</li>`)
        .join('');
      return (
        `<tr><td style="border-left:4px solid ${color};padding:4px 8px">` +
        `<b>${escapeHtml(alert.name)}</b> <span style="color:${color}">${alert.status === 'resolved' ? 'resolved' : alert.severity}</span><br>` +
        `${escapeHtml(alert.summary)}<br><code>${escapeHtml(labelText(alert.labels))}</code><br>` +
        `<small>${alertTimes(alert)}</small>` +
        (details ? `<ul>${details}</ul>` : '') +
        `</td></tr>`
      );
    })
    .join('');
  const title = notificationTitle(alerts);
  return {
    subject: `${subjectPrefix}${title}`,
    text: notificationText(alerts),
    html: `<!doctype html><html><body><h2>${escapeHtml(title)}</h2><table>${rows}</table></body></html>`,
  };
}
