import { parseArgs } from 'node:util';
import { ErrorCodes, isPreventionError, PreventionError } from '@prevention/core';
import { DEFAULT_DAEMON_PORT, runMonitorDaemon, type MonitorDaemonOptions } from './daemon.js';
import { parsePort } from './monitor-options.js';

const NAME = 'prevention-monitor';

interface OptionSpec {
  type: 'boolean' | 'string';
  /** What the value is called in the help, for options that take one. */
  value?: string;
  short?: string;
  help: string;
}

type OptionName = 'once' | 'port' | 'host' | 'config' | 'cwd' | 'help';

const OPTIONS: Record<OptionName, OptionSpec> = {
  once: { type: 'boolean', help: 'run one check pass (with repairs) and exit: 0 every file intact, 1 problems found' },
  port: { type: 'string', value: 'port', help: `HTTP port for /livez, /readyz, /metrics (0 picks a free one; default the config's, else ${DEFAULT_DAEMON_PORT})` },
  host: { type: 'string', value: 'address', help: 'address to bind (default 127.0.0.1)' },
  config: { type: 'string', value: 'file', help: 'use this config file instead of searching for prevention.config.*' },
  cwd: { type: 'string', value: 'dir', help: 'run as if started in <dir>' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

function label(name: OptionName): string {
  const option = OPTIONS[name];
  return `${option.short ? `-${option.short}, ` : ''}--${name}${option.value ? ` <${option.value}>` : ''}`;
}

const USAGE = [
  `Usage: ${NAME} [options]`,
  '',
  'The prevention integrity monitor in the foreground: watches the configured files, repairs',
  'corruption from backups, serves /livez /readyz /metrics; logs are JSON lines on stdout.',
  'Stops on SIGTERM or Ctrl-C. `prevention monitor` is the same daemon.',
  '',
  'Options:',
  ...Object.keys(OPTIONS).map((name) => `  ${label(name as OptionName).padEnd(20)}  ${OPTIONS[name as OptionName].help}`),
  '',
  'Examples:',
  `  $ ${NAME}                 run until SIGTERM or Ctrl-C (systemd, a container, a terminal)`,
  `  $ ${NAME} --once          one pass, for cron or CI: exit 1 if a file was damaged`,
  `  $ ${NAME} --port 9100     metrics on :9100`,
  '',
].join('\n');

function usageError(message: string): PreventionError {
  return new PreventionError(ErrorCodes.USAGE, message);
}

/** The daemon's options from the command line, or `'help'`; a usage error for anything else. */
function parseCommandLine(args: readonly string[]): MonitorDaemonOptions | 'help' {
  // Not strict: node:util's own errors are long and end in a stack trace, so the tokens are checked here.
  const { tokens } = parseArgs({ args: [...args], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const options: MonitorDaemonOptions = {};
  for (const token of tokens) {
    if (token.kind !== 'option') throw usageError(`unexpected argument '${token.kind === 'positional' ? token.value : '--'}'`);
    if (!Object.hasOwn(OPTIONS, token.name)) throw usageError(`unknown option '${token.rawName}'`);
    const name = token.name as OptionName;
    const { value } = token;
    if (OPTIONS[name].type === 'boolean') {
      if (value !== undefined) throw usageError(`option '${label(name)}' takes no value`);
      if (name === 'help') return 'help';
      if (name === 'once') options.once = true;
      continue;
    }
    if (value === undefined) throw usageError(`option '${label(name)}' needs a value`);
    if (name === 'port') {
      const port = parsePort(value);
      if (port === undefined) throw usageError(`option '${label(name)}' must be a TCP port from 0 to 65535, got "${value}"`);
      options.port = port;
    } else if (name === 'host') {
      options.host = value;
    } else if (name === 'config') {
      options.configFile = value;
    } else {
      options.cwd = value;
    }
  }
  return options;
}

/**
 * The `prevention-monitor` command line: `--help`, usage errors as one line pointing at
 * `--help` (exit 2), otherwise {@link runMonitorDaemon} with the options given.
 *
 * @returns the process exit code: the daemon's, 2 for a usage or configuration error.
 */
export async function runMonitorCommandLine(args: readonly string[] = process.argv.slice(2)): Promise<number> {
  let options: MonitorDaemonOptions | 'help';
  try {
    options = parseCommandLine(args);
  } catch (err) {
    process.stderr.write(`${NAME}: ${(err as Error).message}\n(see ${NAME} --help)\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    return await runMonitorDaemon(options);
  } catch (err) {
    const code = isPreventionError(err) ? ` [${err.code}]` : '';
    process.stderr.write(`${NAME}: ${err instanceof Error ? err.message : String(err)}${code}\n`);
    return 2;
  }
}
