import { defineRule, type AnyAlertRule } from './alert-rule.js';

/** Occurrences (a lock recovered, a file restored) resolve on their own after this long. */
const OCCURRENCE_MS = 5 * 60_000;

/**
 * How engine and monitor events become alerts. Lasting problems (corruption, failing commits,
 * a failing health check) fire until the event that ends them; one-off occurrences resolve by
 * themselves after five minutes.
 */
export const DEFAULT_RULES: readonly AnyAlertRule[] = [
  defineRule({
    id: 'corruption-detected',
    event: 'corruption:detected',
    map: ({ file, kind, message }) => ({
      name: 'corruption-detected',
      severity: 'critical',
      labels: { file },
      summary: `${file} is corrupt (${kind})`,
      details: { kind, message },
    }),
  }),
  defineRule({
    id: 'corruption-resolved',
    event: 'corruption:resolved',
    map: ({ file, summary }) => ({ name: 'corruption-detected', severity: 'critical', labels: { file }, summary, status: 'resolved' }),
  }),
  defineRule({
    id: 'restore-completed',
    event: 'restore:completed',
    map: ({ file, strategy, backupId, quarantined, reason }) => [
      { name: 'corruption-detected', severity: 'critical', labels: { file }, summary: `${file} was restored from a backup`, status: 'resolved' },
      {
        name: 'file-restored',
        severity: 'info',
        labels: { file },
        // The reason too: a corruption repaired within its group's wait is never notified itself.
        summary: `${file} was restored from backup ${backupId} (${strategy})${reason === undefined ? '' : `: ${reason}`}`,
        details: { strategy, backupId, ...(quarantined ? { quarantined } : {}), ...(reason === undefined ? {} : { reason }) },
        resolveAfterMs: OCCURRENCE_MS,
      },
    ],
  }),
  defineRule({
    id: 'outside-write-accepted',
    event: 'outside-write:accepted',
    map: ({ file, sha256, lastCommitSha256, dropped }) => ({
      name: 'outside-write-accepted',
      severity: 'warning',
      labels: { file },
      summary:
        `${file} was changed outside prevention and adopted as the current version (onOutsideWrite: accept)` +
        (dropped.count > 0 ? `; ${dropped.count} acknowledged event${dropped.count === 1 ? '' : 's'} of the last commit are no longer in it` : ''),
      details: { sha256, lastCommitSha256, dropped },
      resolveAfterMs: OCCURRENCE_MS,
    }),
  }),
  defineRule({
    id: 'path-redirected',
    event: 'path:redirected',
    map: ({ path, leadsTo, expected }) => ({
      name: 'path-redirected',
      severity: 'critical',
      labels: { path },
      summary: `${path} now leads to ${leadsTo} through a symbolic link planted after start-up; prevention refuses to read or write there`,
      details: { leadsTo, expected },
      resolveAfterMs: OCCURRENCE_MS,
    }),
  }),
  defineRule({
    id: 'backup-failed',
    event: 'backup:failed',
    map: ({ file, strategy, error, required }) => ({
      name: 'backup-failed',
      severity: required ? 'critical' : 'warning',
      labels: { file, strategy },
      summary: `backup strategy ${strategy} failed for ${file}${required ? '; writes are refused until it works' : ''}`,
      details: { code: error.code, error: error.message },
    }),
  }),
  defineRule({
    id: 'backup-created',
    event: 'backup:created',
    map: ({ file, strategy }) => ({ name: 'backup-failed', severity: 'warning', labels: { file, strategy }, summary: `backup strategy ${strategy} works again for ${file}`, status: 'resolved' }),
  }),
  defineRule({
    id: 'lock-stale-recovered',
    event: 'lock:stale-recovered',
    map: ({ file, lockPath, ageMs }) => ({
      name: 'lock-stale-recovered',
      severity: 'warning',
      labels: { file },
      summary: `a stale lock on ${file} (${Math.round(ageMs / 1000)} s old) was taken over; its holder died or froze`,
      details: { lockPath, ageMs },
      resolveAfterMs: OCCURRENCE_MS,
    }),
  }),
  defineRule({
    id: 'validate-failed',
    event: 'validate:failed',
    map: ({ file, issues }) => ({
      name: 'validation-failed',
      severity: 'warning',
      labels: { file },
      summary: `a change to ${file} was refused by validation (${issues.length} issue${issues.length === 1 ? '' : 's'})`,
      details: { issues: issues.slice(0, 10) },
    }),
  }),
  defineRule({
    id: 'commit-failed',
    event: 'commit:failed',
    map: ({ file, error, changes }) => ({
      name: 'commit-failed',
      severity: 'warning',
      labels: { file },
      summary: `a commit to ${file} failed: ${error.code}`,
      details: { code: error.code, error: error.message, changes },
    }),
  }),
  defineRule({
    id: 'commit-succeeded',
    event: 'commit',
    map: ({ file }) => [
      { name: 'commit-failed', severity: 'warning', labels: { file }, summary: `${file} commits again`, status: 'resolved' },
      { name: 'validation-failed', severity: 'warning', labels: { file }, summary: `${file} accepts changes again`, status: 'resolved' },
    ],
  }),
  defineRule({
    id: 'health',
    event: 'health',
    map: ({ check, status, message, file, details }) => ({
      name: 'health-check-failing',
      severity: status === 'fail' ? 'critical' : 'warning',
      labels: { check, ...(file ? { file } : {}) },
      summary: message,
      details: details ?? {},
      status: status === 'ok' ? 'resolved' : 'firing',
    }),
  }),
];
