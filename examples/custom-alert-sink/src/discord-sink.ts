import type { Alert, AlertSink } from '@prevention/core';
import { JsonPoster, notificationTitle, readSecret, type CommonSinkOptions, type RetryPolicy, type SinkDefinition } from '@prevention/plugin-alerts';

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
export class DiscordAlertSink implements AlertSink {
  constructor(
    readonly name: string,
    private readonly poster: JsonPoster,
  ) {}

  send(alerts: Alert[], signal?: AbortSignal): Promise<void> {
    return this.poster.post(
      {
        content: notificationTitle(alerts),
        embeds: alerts.slice(0, MAX_EMBEDS).map((alert) => ({
          title: alert.name,
          description: alert.summary,
          color: alert.status === 'resolved' ? COLOR.resolved : COLOR[alert.severity],
          fields: Object.entries(alert.labels).map(([name, value]) => ({ name, value, inline: true })),
          timestamp: alert.endsAt ?? alert.startsAt,
        })),
      },
      signal,
    );
  }

  async close(): Promise<void> {}
}

/**
 * A sink definition: the alerts plugin calls `create` with the engine's services (FileSystem,
 * clock, logger, cwd) from its DI container, then registers the sink. The URL is declared with
 * `keepSecret`, so no part of it leaves the sink in an error or health message.
 */
export function discordSink(options: DiscordSinkOptions): SinkDefinition {
  const name = options.name ?? 'discord';
  return {
    name,
    sendResolved: options.sendResolved ?? true,
    async create({ fs, cwd, clock, keepSecret }) {
      const url = keepSecret(await readSecret({ env: options.urlEnv, file: options.urlFile }, `discordSink "${name}" url`, fs, cwd));
      // Discord allows about 5 requests per 2 seconds per webhook; 500 ms apart stays under it.
      return new DiscordAlertSink(name, new JsonPoster({ ...options, what: `discord sink "${name}"`, url, clock, minIntervalMs: 500 }));
    },
  };
}
