import { describe, expect, it } from 'vitest';
import type { AlertSignal } from '../alert-signal.js';
import { fingerprintOf } from '../fingerprint.js';
import { applySignal, TrackedAlerts, type TrackedAlert } from './tracked-alerts.js';

const T0 = Date.parse('2026-01-05T08:00:00Z');
const disk: AlertSignal = { name: 'health-check-failing', severity: 'warning', labels: { check: 'disk-space' }, summary: 'disk space is low' };
const fingerprint = fingerprintOf(disk.name, disk.labels);
const never = (): boolean => {
  throw new Error('notifiedFiring was asked although the answer does not matter');
};

function firing(severity: TrackedAlert['severity'] = 'warning'): TrackedAlert {
  return { ...disk, severity, details: {}, startsAt: new Date(T0).toISOString(), status: 'firing', fingerprint };
}

describe('applySignal', () => {
  it('makes a first firing signal news, starting now', () => {
    expect(applySignal(undefined, disk, fingerprint, T0, never)).toEqual({ effect: 'news', alert: firing(), urgent: false });
  });

  it('only refreshes an unchanged repeat, keeping its start and taking the new summary', () => {
    const result = applySignal(firing(), { ...disk, summary: 'still low' }, fingerprint, T0 + 5_000, never);
    expect(result).toEqual({ effect: 'refresh', alert: { ...firing(), summary: 'still low' } });
  });

  it('keeps the higher severity when a firing alert repeats at a lower one', () => {
    const result = applySignal(firing('critical'), disk, fingerprint, T0 + 5_000, never);
    expect(result).toMatchObject({ effect: 'refresh', alert: { severity: 'critical' } });
  });

  it('makes an escalation urgent only when a sink was told the alert fires', () => {
    expect(applySignal(firing(), { ...disk, severity: 'critical' }, fingerprint, T0 + 5_000, () => true)).toMatchObject({ effect: 'news', urgent: true, alert: { severity: 'critical', startsAt: new Date(T0).toISOString() } });
    expect(applySignal(firing(), { ...disk, severity: 'critical' }, fingerprint, T0 + 5_000, () => false)).toMatchObject({ effect: 'news', urgent: false });
  });

  it('starts an alert over when it fires again after resolving', () => {
    const resolved: TrackedAlert = { ...firing(), status: 'resolved', endsAt: new Date(T0 + 1_000).toISOString() };
    const result = applySignal(resolved, disk, fingerprint, T0 + 9_000, never);
    expect(result).toEqual({ effect: 'news', alert: { ...firing(), startsAt: new Date(T0 + 9_000).toISOString() }, urgent: false });
  });

  it('sets when an occurrence resolves by itself', () => {
    expect(applySignal(undefined, { ...disk, resolveAfterMs: 60_000 }, fingerprint, T0, never)).toMatchObject({ alert: { resolveAt: T0 + 60_000 } });
  });

  it('resolves a firing alert now, keeping what it was', () => {
    const result = applySignal(firing('critical'), { ...disk, severity: 'info', status: 'resolved', summary: 'disk space is fine' }, fingerprint, T0 + 5_000, never);
    expect(result).toEqual({ effect: 'news', alert: { ...firing('critical'), summary: 'disk space is fine', status: 'resolved', endsAt: new Date(T0 + 5_000).toISOString() }, urgent: false });
  });

  it('ignores resolving an alert already resolved', () => {
    const resolved: TrackedAlert = { ...firing(), status: 'resolved', endsAt: new Date(T0).toISOString() };
    expect(applySignal(resolved, { ...disk, status: 'resolved' }, fingerprint, T0 + 5_000, never)).toEqual({ effect: 'none' });
  });

  it('resolves an alert it never saw only when a sink was told it fires (after a restart)', () => {
    expect(applySignal(undefined, { ...disk, status: 'resolved' }, fingerprint, T0, () => false)).toEqual({ effect: 'none' });
    expect(applySignal(undefined, { ...disk, status: 'resolved' }, fingerprint, T0, () => true)).toMatchObject({ effect: 'news', alert: { status: 'resolved', startsAt: new Date(T0).toISOString() } });
  });
});

describe('TrackedAlerts', () => {
  it('resolves an occurrence past its resolveAt when it is met, as of that time', () => {
    const alerts = new TrackedAlerts();
    alerts.take({ ...disk, resolveAfterMs: 1_000 }, T0, never);
    expect(alerts.current(fingerprint, T0 + 999)).toMatchObject({ status: 'firing' });
    expect(alerts.firing()).toHaveLength(1);
    expect(alerts.current(fingerprint, T0 + 5_000)).toMatchObject({ status: 'resolved', endsAt: new Date(T0 + 1_000).toISOString() });
    expect(alerts.firing()).toEqual([]);
  });

  it('keeps a refresh without returning it as news', () => {
    const alerts = new TrackedAlerts();
    expect(alerts.take(disk, T0, never)).toBeDefined();
    expect(alerts.take({ ...disk, summary: 'still low' }, T0 + 1, never)).toBeUndefined();
    expect(alerts.current(fingerprint, T0 + 1)).toMatchObject({ summary: 'still low' });
  });
});
