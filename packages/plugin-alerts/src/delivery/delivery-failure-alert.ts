import { PreventionError, type Alert } from '@prevention/core';
import type { AlertSignal } from '../alert-signal.js';

/** Name of the alert raised when a sink fails to deliver; it goes to the other sinks. */
export const DELIVERY_FAILED_ALERT = 'alert-delivery-failed';

/** The alert that `sinkName` could not deliver, with the error that stopped it. */
export function deliveryFailedSignal(sinkName: string, error: Error): AlertSignal {
  return {
    name: DELIVERY_FAILED_ALERT,
    severity: 'warning',
    labels: { sink: sinkName },
    summary: `alerts could not be delivered to sink "${sinkName}"; they are spooled and retried`,
    details: { error: error.message, ...(error instanceof PreventionError ? { code: error.code } : {}) },
  };
}

/** The resolution of {@link deliveryFailedSignal}: `sinkName` delivered again. */
export function deliveryRecoveredSignal(sinkName: string): AlertSignal {
  return { name: DELIVERY_FAILED_ALERT, severity: 'warning', labels: { sink: sinkName }, summary: `sink "${sinkName}" delivers again`, status: 'resolved' };
}

/** True for an alert about `sinkName`'s own delivery failures, which that sink is never sent: it would fail on them too. */
export function isOwnDeliveryFailure(alert: Alert, sinkName: string): boolean {
  return alert.name === DELIVERY_FAILED_ALERT && alert.labels.sink === sinkName;
}
