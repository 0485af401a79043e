import { Command } from 'commander';
import { NodeFileSystem } from '@prevention/core';
import { checkFile } from '../checks/file-check.js';
import { action, withExamples } from '../command-kit.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output/errors.js';
import { ago } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { activeAlerts } from '../status/active-alerts.js';
import { probeMonitor, type MonitorState } from '../status/monitor-probe.js';
import { filesToCheck, relativePath, statusLabel, summaryOf } from './check.js';

function describeMonitor(monitor: MonitorState): string {
  switch (monitor.state) {
    case 'not-configured':
      return 'not configured (add monitor() to plugins)';
    case 'unreachable':
      return `not reachable at ${monitor.url} (${monitor.error}); start it with \`prevention monitor\``;
    case 'ready':
      return `running, ready (${monitor.url})`;
    case 'not-ready':
      return `running, NOT ready: ${JSON.stringify(monitor.detail)}`;
  }
}

async function runStatus(ctx: CommandContext, options: { json?: boolean }): Promise<ExitCode> {
  const fs = new NodeFileSystem();
  const { files, alerts, monitor } = await ctx.withEngine(async (engine) => {
    const rows = [];
    for (const file of await filesToCheck(ctx, engine, [])) {
      const report = await checkFile(engine, fs, file);
      const lastBackup = (await engine.backups(file))[0];
      rows.push({ report, lastBackup });
    }
    return { files: rows, alerts: await activeAlerts(engine, fs), monitor: await probeMonitor(engine) };
  });
  const problems = files.some(({ report }) => report.status === 'problem');
  const { output } = ctx;
  if (options.json) {
    output.json({ ok: !problems, files: files.map(({ report, lastBackup }) => ({ ...report, lastBackup: lastBackup ?? null })), alerts, monitor });
    return problems ? ExitCode.Problems : ExitCode.Ok;
  }
  const style = output.out;
  output.result(
    renderTable(
      ['FILE', 'HEALTH', 'LAST COMMIT', 'LAST BACKUP', 'DETAIL'],
      files.map(({ report, lastBackup }) => [
        relativePath(ctx, report.file),
        statusLabel(report, style),
        report.lastCommit ? ago(new Date(report.lastCommit.at)) : '-',
        lastBackup ? `${ago(lastBackup.createdAt)} (${lastBackup.strategy})` : style.yellow('none'),
        summaryOf(report),
      ]),
    ),
  );
  output.result('');
  output.result(`${style.bold('alerts')}   ${alerts.length === 0 ? style.green('none firing') : style.red(`${alerts.length} firing`)}`);
  for (const alert of alerts) output.result(`  ${style.red(alert.severity)} ${alert.name}: ${alert.summary} (since ${alert.startsAt})`);
  const monitorText = describeMonitor(monitor);
  output.result(`${style.bold('monitor')}  ${monitor.state === 'ready' ? style.green(monitorText) : style.yellow(monitorText)}`);
  return problems ? ExitCode.Problems : ExitCode.Ok;
}

/** `prevention status`: one screen on the project's files, alerts and monitor. */
export function statusCommand(): Command {
  const command = new Command('status')
    .description('one screen: each file\'s health, last commit and backup, the alerts firing, whether the monitor answers')
    .option('--json', 'print the status as JSON')
    .action(action(runStatus));
  return withExamples(command, [
    ['prevention status', 'the overview; exit 1 when a file has a problem'],
    ['prevention status --json | jq .monitor.state', 'for scripts'],
  ]);
}
