/**
 * @prevention/plugin-alerts: alert routing (dedupe, grouping, throttling, resolved notices,
 * inhibition, silences) and sinks for files, the log, Slack, email and webhooks.
 */
import alerts from './alerts-plugin.js';

export default alerts;
export { alerts };
export type { AlertsOptions, AlertsService } from './alerts-plugin.js';
export { ALERTS_SERVICE } from './alerts-token.js';
export type { Alert, AlertSeverity, AlertSink, SinkHealth } from '@prevention/core';
export type { AlertSignal } from './alert-signal.js';
export type { Duration } from '@prevention/core';
export type { Matcher } from './matcher.js';
export { fingerprintOf } from './fingerprint.js';
export { AlertRouter, DELIVERY_FAILED_ALERT, type AlertRouterOptions, type RoutedSink } from './router/alert-router.js';
export type { Route, GroupTiming } from './router/route.js';
export { DEFAULT_INHIBIT_RULES, type InhibitRule } from './router/inhibitor.js';
export type { Silence } from './router/silences.js';
export { defineRule, type AlertRule, type AnyAlertRule } from './rules/alert-rule.js';
export { DEFAULT_RULES } from './rules/default-rules.js';
export { Spool, type SpoolEntry } from './delivery/spool.js';
export type { SinkDefinition, SinkServices, CommonSinkOptions } from './sinks/sink-definition.js';
export { fileSink, FileAlertSink, type FileSinkOptions } from './sinks/file-sink.js';
export { consoleSink, ConsoleAlertSink } from './sinks/console-sink.js';
export { slackSink, SlackAlertSink, SLACK_MIN_INTERVAL_MS, type SlackSinkOptions } from './sinks/slack-sink.js';
export { emailSink, EmailAlertSink, type EmailSinkOptions } from './sinks/email-sink.js';
export { webhookSink, WebhookAlertSink, type WebhookSinkOptions } from './sinks/webhook-sink.js';
export { JsonPoster, type JsonPosterOptions, type RetryPolicy } from './sinks/json-poster.js';
export { jsonPostSink, JsonPostSink, type JsonPostSinkOptions } from './sinks/json-post-sink.js';
export { notificationTitle, notificationText, alertLine, alertTimes, labelText } from './sinks/alert-text.js';
export { Secret } from './secret.js';
export { readSecret, type SecretSource } from './secret-source.js';
