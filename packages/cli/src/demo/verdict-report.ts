import type { Output } from '../output/output.js';
import type { Verdict } from './verdict.js';

/** Prints the verdict on stdout: the figures, then one line that says whether anything was lost. */
export function printVerdict(output: Output, verdict: Verdict): void {
  const style = output.out;
  const kinds = Object.entries(verdict.corruptionsByKind)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const row = (label: string, value: string): void => output.result(`  ${label.padEnd(22)}${value}`);
  output.result(style.bold(`verdict (${verdict.mode === 'naive' ? 'naive readFile/writeFile agents' : 'agents through prevention'})`));
  row('events published', String(verdict.published));
  const codes = Object.entries(verdict.failuresByCode)
    .map(([code, count]) => `${code} ${count}`)
    .join(', ');
  row('acknowledged', `${verdict.acknowledged}${verdict.failedPublishes > 0 ? ` (${verdict.failedPublishes} ${verdict.failedPublishes === 1 ? 'publish' : 'publishes'} failed with a typed error and ${verdict.failedPublishes === 1 ? 'was' : 'were'} not acknowledged: ${codes})` : ''}`);
  row('present in the file', String(verdict.present));
  row('lost', verdict.lost === 0 ? style.green('0') : style.red(`${verdict.lost} acknowledged event(s)`));
  row('duplicated', verdict.duplicated === 0 ? style.green('0') : style.red(String(verdict.duplicated)));
  row('corruptions', `${verdict.corruptions}${kinds ? ` (${kinds})` : ''}`);
  if (verdict.mode === 'prevention') {
    row('repaired', `${verdict.repaired} of ${verdict.corruptions}${verdict.unrepaired > 0 ? style.red(` (${verdict.unrepaired} not within 15 s)`) : ''}, ${verdict.monitorRepairs} by the monitor, the rest by writers on load`);
    row('p99 repair time', verdict.p99RepairMs === null ? '-' : `${verdict.p99RepairMs} ms`);
  }
  row('agents SIGKILLed', `${verdict.agentsKilled} (each replaced by a new process)`);
  row('corrupt reads', verdict.corruptReads === 0 ? style.green('0') : style.red(String(verdict.corruptReads)));
  if (verdict.refusedReads > 0) row('refused reads', `${verdict.refusedReads} (a damaged file refused with a typed error, never returned)`);
  row('final file', verdict.file.valid ? style.green('valid JSON, passes the shared context schema') : style.red(`INVALID: ${verdict.file.problems.join('; ')}`));
  output.result('');
  if (verdict.passed) {
    output.result(style.green(style.bold(`PASS: every one of the ${verdict.acknowledged} acknowledged events is present exactly once, 0 lost, 0 corrupt reads, every corruption repaired.`)));
  } else {
    const why = [
      verdict.lost > 0 ? `${verdict.lost} of ${verdict.acknowledged} acknowledged events LOST` : undefined,
      verdict.duplicated > 0 ? `${verdict.duplicated} duplicated` : undefined,
      verdict.corruptReads > 0 ? `${verdict.corruptReads} corrupt reads` : undefined,
      verdict.unrepaired > 0 ? `${verdict.unrepaired} corruptions left unrepaired` : undefined,
      verdict.file.valid ? undefined : 'the final file is invalid',
    ].filter(Boolean);
    output.result(style.red(style.bold(`FAIL: ${why.join(', ')}.`)));
  }
}
