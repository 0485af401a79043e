import { Command } from 'commander';
import { ErrorCodes, NodeFileSystem } from '@prevention/core';
import { action, withExamples } from '../command-kit.js';
import type { CommandContext } from '../context.js';
import { CliError, type ExitCode } from '../output/errors.js';
import { tcpPort, wholeNumber } from '../output/parse-options.js';

interface ServeCommandOptions {
  port?: number;
  tokenFile?: string;
  socket?: string;
  maxBodyBytes?: number;
}

/** The bearer token for TCP: the file given (its first line), else PREVENTION_SERVE_TOKEN. Never printed. */
async function tokenOf(ctx: CommandContext, options: ServeCommandOptions): Promise<string | undefined> {
  if (options.tokenFile === undefined) return process.env.PREVENTION_SERVE_TOKEN || undefined;
  const text = await new NodeFileSystem().readFile(ctx.resolve(options.tokenFile)).catch((err: unknown) => {
    throw new CliError(ErrorCodes.USAGE, `cannot read the token file ${options.tokenFile}: ${(err as Error).message}`, 'check the path given to --token-file', undefined, { cause: err });
  });
  const token = text.toString('utf8').split('\n')[0]!.trim();
  if (token === '') throw new CliError(ErrorCodes.USAGE, `the token file ${options.tokenFile} is empty`, 'put the token on its first line');
  return token;
}

async function runServeCommand(ctx: CommandContext, options: ServeCommandOptions): Promise<ExitCode> {
  const token = options.port === undefined ? undefined : await tokenOf(ctx, options);
  if (options.port !== undefined && token === undefined) {
    throw new CliError(ErrorCodes.USAGE, 'serving on TCP needs a bearer token', 'set PREVENTION_SERVE_TOKEN, or pass --token-file <file>');
  }
  // Loaded here, not at the top: every other command would otherwise pay for the service's
  // modules at start-up.
  const { runServe } = await import('@prevention/serve');
  const code = await runServe({
    cwd: ctx.cwd,
    ...(ctx.configFile ? { configFile: ctx.configFile } : {}),
    ...(options.socket ? { socketPath: ctx.resolve(options.socket) } : {}),
    ...(options.port !== undefined ? { port: options.port, token } : {}),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(ctx.debug ? { logger: { fd: 1, level: 'debug' } } : {}),
  });
  return code === 0 ? 0 : 1;
}

/** `prevention serve`: the local service other processes (any language) write through. */
export function serveCommand(): Command {
  const command = new Command('serve')
    .description(
      "run the project's local service in the foreground: one engine (config, plugins, monitor) answering HTTP + JSON on <root>/.prevention/prevention.sock (0600), so agents in any language share its locks, validation, backups and group commit; logs are JSON lines on stdout",
    )
    .option('--port <port>', 'also listen on 127.0.0.1:<port> (0 picks a free one); every request then needs the bearer token', tcpPort)
    .option('--token-file <file>', 'read the bearer token for --port from this file (default: $PREVENTION_SERVE_TOKEN)')
    .option('--socket <path>', 'the Unix socket to listen on (default <root>/.prevention/prevention.sock)')
    .option('--max-body-bytes <n>', 'refuse request bodies larger than this (default 8388608: 8 MiB; a file with a smaller maxBytes lowers it)', wholeNumber(1))
    .action(action(runServeCommand));
  return withExamples(command, [
    ['prevention serve', 'serve the project until SIGTERM or Ctrl-C (systemd, a terminal)'],
    ['PREVENTION_SERVE_TOKEN=$(cat token) prevention serve --port 7878', 'also on 127.0.0.1:7878, with a bearer token'],
    ['curl --unix-socket .prevention/prevention.sock localhost/v1/health', 'ask the running service'],
  ]);
}
