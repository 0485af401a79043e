import { Command } from 'commander';
import { DEFAULT_DAEMON_PORT, runMonitorDaemon } from '@prevention/plugin-monitor';
import { action, withExamples } from '../command-kit.js';
import type { CommandContext } from '../context.js';
import type { ExitCode } from '../output/errors.js';
import { tcpPort } from '../output/parse-options.js';

interface MonitorCommandOptions {
  once?: boolean;
  port?: number;
  host?: string;
}

async function runMonitor(ctx: CommandContext, options: MonitorCommandOptions): Promise<ExitCode> {
  const code = await runMonitorDaemon({
    cwd: ctx.cwd,
    ...(ctx.configFile ? { configFile: ctx.configFile } : {}),
    ...(options.once ? { once: true } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(ctx.debug ? { logger: { fd: 1, level: 'debug' } } : {}),
  });
  return code === 0 ? 0 : 1;
}

/** `prevention monitor`: the integrity monitor daemon (or one check pass with --once). */
export function monitorCommand(): Command {
  const command = new Command('monitor')
    .description('run the integrity monitor in the foreground: watch the configured files, repair corruption from backups, serve /livez /readyz /metrics; logs are JSON lines on stdout')
    .option('--once', 'run one check pass (with repairs) and exit: 0 every file intact, 1 problems found')
    .option('--port <port>', `HTTP port for /livez, /readyz, /metrics (0 picks a free one; default the config's, else ${DEFAULT_DAEMON_PORT})`, tcpPort)
    .option('--host <address>', 'address to bind (default 127.0.0.1)')
    .action(action(runMonitor));
  return withExamples(command, [
    ['prevention monitor', 'run until SIGTERM or Ctrl-C (systemd, a container, a terminal)'],
    ['prevention monitor --once', 'one pass, for cron or CI: exit 1 if a file was damaged'],
    ['prevention monitor --port 9100 | jq .msg', 'metrics on :9100, logs through jq'],
  ]);
}
