import type { Alert } from '@prevention/core';
import { alertLine, alertTimes, labelText, notificationTitle } from './alert-text.js';

/** Slack limits a section's text to 3000 characters and a message to 50 blocks. */
const SECTION_LIMIT = 3000;
const ALERT_BLOCKS_LIMIT = 45;

function clip(text: string): string {
  return text.length <= SECTION_LIMIT ? text : `${text.slice(0, SECTION_LIMIT - 1)}…`;
}

/** Slack's mrkdwn needs &, < and > escaped. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const EMOJI = { critical: ':red_circle:', warning: ':warning:', info: ':information_source:' } as const;

/**
 * The incoming-webhook message for a notification: `text` (the fallback shown in
 * notifications) plus blocks: a header, then one section per alert.
 */
export function slackPayload(alerts: readonly Alert[]): { text: string; blocks: unknown[] } {
  const title = notificationTitle(alerts);
  const shown = alerts.slice(0, ALERT_BLOCKS_LIMIT);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
    ...shown.map((alert) => ({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `${alert.status === 'resolved' ? ':white_check_mark:' : EMOJI[alert.severity]} *${escape(alert.name)}* (${alert.status === 'resolved' ? 'resolved' : alert.severity})\n${escape(alert.summary)}\n` +
            `\`${escape(labelText(alert.labels))}\` ${alertTimes(alert)}`,
        ),
      },
    })),
  ];
  if (alerts.length > shown.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `and ${alerts.length - shown.length} more` }] });
  return { text: [title, ...alerts.map(alertLine)].join('\n'), blocks };
}
