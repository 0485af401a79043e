import { createRequire } from 'node:module';
import { Command } from 'commander';
import { backupsCommand } from './commands/backups.js';
import { checkCommand } from './commands/check.js';
import { dbCommand } from './commands/db.js';
import { demoCommand } from './commands/demo.js';
import { eventsCommand } from './commands/events.js';
import { initCommand } from './commands/init.js';
import { monitorCommand } from './commands/monitor.js';
import { pruneCommand } from './commands/prune.js';
import { publishCommand } from './commands/publish.js';
import { restoreCommand } from './commands/restore.js';
import { serveCommand } from './commands/serve.js';
import { statusCommand } from './commands/status.js';
import { withExamples } from './command-kit.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Builds the `prevention` program with every command. */
export function createProgram(): Command {
  const program = new Command('prevention')
    .description('Keeps shared JSON files from ever being corrupted or losing a write.')
    .version(version, '-V, --version')
    .option('--cwd <dir>', 'run as if started in <dir>')
    .option('-c, --config <file>', 'use this config file instead of searching for prevention.config.*')
    .option('--debug', 'show debug logs, and stack traces on errors');
  for (const command of [
    initCommand(),
    checkCommand(),
    publishCommand(),
    eventsCommand(),
    backupsCommand(),
    restoreCommand(),
    pruneCommand(),
    monitorCommand(),
    serveCommand(),
    statusCommand(),
    dbCommand(),
    demoCommand(),
  ]) {
    program.addCommand(command);
  }
  return withExamples(program, [
    ['npx prevention demo', 'watch agents, chaos and the monitor on a temporary file'],
    ['npx prevention init', 'create prevention.config.ts and a shared context schema'],
    ['npx prevention check', 'validate every configured file (exit 0 ok, 1 problems, 2 usage)'],
    ['npx prevention <command> --help', 'options and examples of a command'],
  ]);
}
