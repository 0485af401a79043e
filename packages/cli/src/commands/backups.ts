import { Command } from 'commander';
import { shortIdLength } from '../backups/backup-ids.js';
import { action, withExamples } from '../command-kit.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output/errors.js';
import { ago, formatBytes, shortSha } from '../output/format.js';
import { renderTable } from '../output/table.js';

async function runBackups(ctx: CommandContext, file: string, options: { json?: boolean; fullIds?: boolean }): Promise<ExitCode> {
  const records = await ctx.withEngine((engine) => engine.backups(file));
  const { output } = ctx;
  if (options.json) {
    output.json(records);
    return ExitCode.Ok;
  }
  if (records.length === 0) {
    output.progress(output.err.yellow(`no backups of ${file} yet`));
    return ExitCode.Ok;
  }
  const idLength = options.fullIds ? Infinity : shortIdLength(records.map((r) => r.id));
  output.result(
    renderTable(
      // The generation is the order: the times come from wall clocks, which can step back.
      ['GENERATION', 'ID', 'STRATEGY', 'CREATED', 'SIZE', 'SHA256'],
      records.map((r) => [r.generation === undefined ? '-' : String(r.generation), r.id.slice(0, idLength), r.strategy, `${r.createdAt.toISOString()} (${ago(r.createdAt)})`, formatBytes(r.bytes), shortSha(r.sha256)]),
    ),
  );
  return ExitCode.Ok;
}

/** `prevention backups <file>`: lists the backups of a file, newest first in commit order. */
export function backupsCommand(): Command {
  const command = new Command('backups')
    .description('list the backups of a file across every strategy, newest first in commit order')
    .argument('<file>', 'the data file')
    .option('--full-ids', 'show whole ids instead of the shortest start that tells them apart')
    .option('--json', 'print the backups as JSON (with whole ids)')
    .action(action(runBackups));
  return withExamples(command, [
    ['prevention backups shared_context.json', 'generation, short id, strategy, time, size and sha256 of each backup'],
    ['prevention backups shared_context.json --json | jq ".[0].id"', 'the newest backup\'s id'],
  ]);
}
