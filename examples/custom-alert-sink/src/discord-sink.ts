import type { Alert } from '@prevention/core';
import { jsonPostSink, JsonPostSink, notificationTitle, type CommonSinkOptions, type RetryPolicy, type SinkDefinition } from '@prevention/plugin-alerts';

/** Options of {@link discordSink}: the webhook URL is a secret, from the environment or a file. */
export interface DiscordSinkOptions extends CommonSinkOptions, RetryPolicy {
  urlEnv?: string;
  urlFile?: string;
}

/** Discord colours an embed's left border: red, amber, blue, and green once resolved. */
const COLOR = { critical: 0xb00020, warning: 0xb26a00, info: 0x1d4ed8, resolved: 0x15803d } as const;

/** Discord accepts at most 10 embeds per message. */
const MAX_EMBEDS = 10;

/** Posts each notification to a Discord webhook: the title as `content`, one embed per alert. */
export class DiscordAlertSink extends JsonPostSink {
  protected payload(alerts: Alert[]): unknown {
    return {
      content: notificationTitle(alerts),
      embeds: alerts.slice(0, MAX_EMBEDS).map((alert) => ({
        title: alert.name,
        description: alert.summary,
        color: alert.status === 'resolved' ? COLOR.resolved : COLOR[alert.severity],
        fields: Object.entries(alert.labels).map(([name, value]) => ({ name, value, inline: true })),
        timestamp: alert.endsAt ?? alert.startsAt,
      })),
    };
  }
}

/**
 * A sink definition: the alerts plugin calls its `create` with the engine's services
 * (FileSystem, clock, logger, cwd) from its DI container, then registers the sink.
 * `jsonPostSink` reads the URL with `readSecret` and declares it with `keepSecret`, so no part
 * of it leaves the sink in an error or health message.
 */
export function discordSink(options: DiscordSinkOptions): SinkDefinition {
  // Discord allows about 5 requests per 2 seconds per webhook; 500 ms apart stays under it.
  return jsonPostSink('discord', DiscordAlertSink, { ...options, minIntervalMs: 500 });
}
