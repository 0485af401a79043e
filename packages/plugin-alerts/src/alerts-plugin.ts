import path from 'node:path';
import { definePlugin, ErrorCodes, PreventionError, TOKENS, type AlertSink, type EngineEventMap, type SinkHealth } from '@prevention/core';
import type { AlertSignal } from './alert-signal.js';
import type { Duration } from '@prevention/core';
import type { Matcher } from './matcher.js';
import { AlertRouter, type AlertRouterOptions } from './router/alert-router.js';
import type { Route } from './router/route.js';
import type { Silence } from './router/silences.js';
import { mergeRules, type AnyAlertRule } from './rules/alert-rule.js';
import { DEFAULT_RULES } from './rules/default-rules.js';
import { FileAlertSink, fileSink } from './sinks/file-sink.js';
import type { Secret } from './secret.js';
import { RedactingSink } from './sinks/redacting-sink.js';
import { isSinkDefinition, type SinkDefinition } from './sinks/sink-definition.js';
import { ALERTS_SERVICE } from './alerts-token.js';

/** Options of the {@link alerts} plugin. Durations are milliseconds or strings like `"30s"`. */
export interface AlertsOptions
  extends Pick<AlertRouterOptions, 'groupWait' | 'groupInterval' | 'repeatInterval' | 'groupBy' | 'inhibitRules' | 'queueSize' | 'sendTimeout' | 'retryInterval' | 'closeTimeout' | 'retention'> {
  /**
   * Where alerts go: sink definitions (`fileSink(...)`, `slackSink(...)`, ...) or ready
   * {@link AlertSink} objects. A file sink at `.prevention/alerts.jsonl` is added when none is
   * given, since undeliverable alerts are spooled beside the first file sink.
   */
  sinks?: Array<SinkDefinition | AlertSink>;
  /** Routes by severity and labels; default every alert to every sink. */
  routes?: Route[];
  /** Rules added to the defaults; one with a default rule's id replaces it. */
  rules?: AnyAlertRule[];
  /** Use only `rules`, none of the defaults. */
  noDefaultRules?: boolean;
  /** Silences from the start (for example during a planned migration). */
  silences?: Array<{ matcher: Matcher; until: string | number; comment?: string }>;
  /** The router's state (what was sent, silences); default `.prevention/alerts-state.json`. */
  stateFile?: string;
}

/** The alerts plugin's service: `engine.service(ALERTS_SERVICE)`. */
export interface AlertsService {
  /** Raises an alert directly (not from an engine event). */
  raise(signal: Omit<AlertSignal, 'status'>): void;
  /** Resolves the alert with this name and labels. */
  resolve(name: string, labels: Record<string, string>, summary?: string): void;
  /** Mutes matching alerts for a while; returns the silence id. */
  silence(matcher: Matcher, duration: Duration, comment?: string): string;
  /** Ends a silence. */
  expireSilence(id: string): boolean;
  /** The unexpired silences. */
  silences(): Silence[];
  /** Runs every sink's health check (a sink without one counts as healthy). */
  health(): Promise<Record<string, SinkHealth>>;
  /** The router itself. */
  readonly router: AlertRouter;
}

const DEFAULT_FILE = '.prevention/alerts.jsonl';
const DEFAULT_STATE_FILE = '.prevention/alerts-state.json';

/**
 * The alerts plugin: turns engine events into alerts and routes them, deduplicated, grouped and
 * throttled, to its sinks, off the write path. `engine.service(ALERTS_SERVICE)` gives its
 * service.
 *
 * ```ts
 * alerts({ sinks: [fileSink({ path: 'logs/alerts.jsonl' }), slackSink({ urlEnv: 'SLACK_WEBHOOK_URL' })] })
 * ```
 */
const alerts = definePlugin<AlertsOptions | undefined, AlertsService>({
  name: 'alerts',
  provides: ALERTS_SERVICE,
  async register(api, options = {}) {
    const services = {
      fs: api.container.resolve(TOKENS.FileSystem),
      logger: api.logger,
      clock: api.container.resolve(TOKENS.Clock),
      cwd: api.config.cwd,
    };
    const build = async (definition: SinkDefinition): Promise<AlertSink> => {
      const secrets: Secret[] = [];
      const sink = await definition.create({ ...services, keepSecret: (secret) => (secrets.push(secret), secret) });
      return secrets.length > 0 ? new RedactingSink(sink, secrets) : sink;
    };
    const sinks: Array<{ sink: AlertSink; sendResolved: boolean }> = [];
    for (const [index, entry] of (options.sinks ?? []).entries()) {
      if (!isSinkDefinition(entry) && (typeof entry?.send !== 'function' || typeof entry.name !== 'string')) {
        throw new PreventionError(ErrorCodes.CONFIG_INVALID, `alerts: sinks[${index}] is neither a sink factory's result (fileSink(...), slackSink(...), ...) nor an AlertSink with a name and send()`);
      }
      const sink = isSinkDefinition(entry) ? await build(entry) : entry;
      sinks.push({ sink, sendResolved: isSinkDefinition(entry) ? entry.sendResolved : true });
    }
    if (!sinks.some(({ sink }) => sink instanceof FileAlertSink)) {
      const fallback = fileSink({ path: DEFAULT_FILE, name: sinks.some(({ sink }) => sink.name === 'file') ? 'fallback-file' : 'file' });
      sinks.push({ sink: await build(fallback), sendResolved: fallback.sendResolved });
    }
    for (const { sink } of sinks) api.addAlertSink(sink);

    const router = new AlertRouter({
      ...options,
      sinks,
      fs: services.fs,
      clock: services.clock,
      logger: api.logger,
      stateFile: path.resolve(services.cwd, options.stateFile ?? DEFAULT_STATE_FILE),
      spool: sinks.map(({ sink }) => sink).find((sink): sink is FileAlertSink => sink instanceof FileAlertSink)!.spool,
    });
    await router.start();
    for (const silence of options.silences ?? []) {
      const until = typeof silence.until === 'number' ? silence.until : Date.parse(silence.until);
      router.silence(silence.matcher, Math.max(0, until - services.clock.now()), silence.comment);
    }

    const rules = mergeRules(options.noDefaultRules ? [] : DEFAULT_RULES, options.rules ?? []);
    for (const rule of rules) {
      api.on(rule.event, (payload) => {
        const signals = (rule.map as (payload: EngineEventMap[typeof rule.event]) => AlertSignal | AlertSignal[] | undefined)(payload);
        for (const signal of [signals ?? []].flat()) router.ingest(signal);
      });
    }
    // The router closes first (its close hook runs before the engine closes the sinks), so
    // pending notifications still reach open sinks or the spool.
    api.onClose(() => router.close());

    return {
      router,
      raise: (signal) => router.raise(signal),
      resolve: (name, labels, summary) => router.resolve(name, labels, summary),
      silence: (matcher, duration, comment) => router.silence(matcher, duration, comment),
      expireSilence: (id) => router.expireSilence(id),
      silences: () => router.activeSilences(),
      health: async () =>
        Object.fromEntries(await Promise.all(sinks.map(async ({ sink }) => [sink.name, sink.health ? await sink.health() : { ok: true, message: 'no health check' }] as const))),
    };
  },
});

export default alerts;
