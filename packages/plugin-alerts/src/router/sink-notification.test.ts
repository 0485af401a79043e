import type { AlertSeverity } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { DELIVERY_FAILED_ALERT } from '../delivery/delivery-failure-alert.js';
import type { NotificationEntry } from './notification-log.js';
import { owesResolvedNotice, sinkNotification, type SinkNotificationInput } from './sink-notification.js';
import type { TrackedAlert } from './tracked-alerts.js';

const T0 = Date.parse('2026-01-05T08:00:00Z');
const HOUR = 3_600_000;

function alert(fingerprint: string, status: TrackedAlert['status'] = 'firing', severity: AlertSeverity = 'warning'): TrackedAlert {
  return { name: 'commit-failed', severity, labels: { file: `/${fingerprint}.json` }, summary: 'failed', details: {}, startsAt: new Date(T0).toISOString(), status, fingerprint };
}

function told(firing: string[], resolved: string[] = [], sentAt = T0, severities: Record<string, AlertSeverity> = {}): NotificationEntry {
  return { group: 'g', sink: 'ops', firing, severities: { ...Object.fromEntries(firing.map((f) => [f, 'warning' as const])), ...severities }, resolved, sentAt };
}

function decide(input: Partial<SinkNotificationInput>): ReturnType<typeof sinkNotification> {
  return sinkNotification({ group: 'g', sink: 'ops', firing: [], resolved: [], entry: undefined, sendResolved: true, now: T0 + 60_000, repeatIntervalMs: HOUR, takesThisRoute: () => true, ...input });
}

describe('sinkNotification', () => {
  it('sends a first notification, recording what it said', () => {
    expect(decide({ firing: [alert('a'), alert('b', 'firing', 'critical')] })).toEqual({
      action: 'send',
      alerts: [alert('a'), alert('b', 'firing', 'critical')],
      record: { group: 'g', sink: 'ops', firing: ['a', 'b'], severities: { a: 'warning', b: 'critical' }, resolved: [], sentAt: T0 + 60_000 },
    });
  });

  it('sends copies without the router’s bookkeeping', () => {
    const occurrence = { ...alert('a'), resolveAt: T0 + HOUR };
    const decision = decide({ firing: [occurrence] });
    if (decision.action !== 'send') throw new Error(`expected a send, got ${decision.action}`);
    expect(decision.alerts[0]).not.toHaveProperty('resolveAt');
    expect(decision.alerts[0]).not.toBe(occurrence);
  });

  it('says nothing when the sink was told all of it already', () => {
    expect(decide({ firing: [alert('a')], entry: told(['a']) })).toEqual({ action: 'none' });
  });

  it('sends the whole group again when one alert joins it', () => {
    expect(decide({ firing: [alert('a'), alert('b')], entry: told(['a']) })).toMatchObject({ action: 'send', record: { firing: ['a', 'b'] } });
  });

  it('repeats still-firing alerts once repeatInterval has passed, not before', () => {
    expect(decide({ firing: [alert('a')], entry: told(['a']), now: T0 + HOUR - 1 })).toEqual({ action: 'none' });
    expect(decide({ firing: [alert('a')], entry: told(['a']), now: T0 + HOUR })).toMatchObject({ action: 'send', record: { sentAt: T0 + HOUR } });
  });

  it('sends an escalation, but only where the alert’s new severity still routes it', () => {
    const worse = [alert('a', 'firing', 'critical')];
    expect(decide({ firing: worse, entry: told(['a']) })).toMatchObject({ action: 'send', record: { severities: { a: 'critical' } } });
    expect(decide({ firing: worse, entry: told(['a']), takesThisRoute: () => false })).toEqual({ action: 'none' });
    expect(decide({ firing: [alert('a', 'firing', 'info')], entry: told(['a']) })).toEqual({ action: 'none' });
  });

  it('sends a resolution to a sink that was told the alert fired, once', () => {
    expect(decide({ resolved: [alert('a', 'resolved')], entry: told(['a']) })).toMatchObject({ action: 'send', alerts: [{ status: 'resolved' }], record: { firing: [], resolved: ['a'] } });
    expect(decide({ resolved: [alert('a', 'resolved')], entry: told(['a'], ['a']) })).toEqual({ action: 'forget', record: { ...told([], ['a']), severities: {} } });
  });

  it('sends no resolution of an alert the sink never heard fire', () => {
    expect(decide({ firing: [alert('b')], resolved: [alert('a', 'resolved')], entry: told(['b']) })).toEqual({ action: 'none' });
  });

  it('forgets, for a sink without sendResolved, what ended, so the same alert firing again is news', () => {
    expect(decide({ resolved: [alert('a', 'resolved')], entry: told(['a']), sendResolved: false })).toEqual({ action: 'forget', record: { ...told(['a']), firing: [], severities: {} } });
    expect(decide({ entry: told([]), sendResolved: false })).toEqual({ action: 'none' });
  });

  it('never tells a sink about its own delivery failures, but tells the others', () => {
    const failure: TrackedAlert = { ...alert('f'), name: DELIVERY_FAILED_ALERT, labels: { sink: 'ops' } };
    expect(decide({ firing: [failure] })).toEqual({ action: 'none' });
    expect(decide({ firing: [failure], sink: 'pager' })).toMatchObject({ action: 'send', alerts: [{ name: DELIVERY_FAILED_ALERT }] });
  });
});

describe('owesResolvedNotice', () => {
  it('holds while a sink with sendResolved was told an alert fires and not that it resolved', () => {
    expect(owesResolvedNotice(told(['a']), 'a', true)).toBe(true);
    expect(owesResolvedNotice(told(['a'], ['a']), 'a', true)).toBe(false);
    expect(owesResolvedNotice(told(['a']), 'a', false)).toBe(false);
    expect(owesResolvedNotice(told(['b']), 'a', true)).toBe(false);
    expect(owesResolvedNotice(undefined, 'a', true)).toBe(false);
  });
});
