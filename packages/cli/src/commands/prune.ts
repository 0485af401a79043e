import path from 'node:path';
import { Command } from 'commander';
import { ErrorCodes, type EngineApi } from '@prevention/core';
import { BACKUP_SERVICE, type BackupService } from '@prevention/plugin-backup';
import { action, withExamples } from '../command-kit.js';
import type { CommandContext } from '../context.js';
import { CliError, ExitCode } from '../output/errors.js';
import { renderTable } from '../output/table.js';

interface PruneOptions {
  dryRun?: boolean;
  file?: string;
  json?: boolean;
}

function backupService(engine: EngineApi): BackupService {
  const service = engine.service(BACKUP_SERVICE);
  if (!service) throw new CliError(ErrorCodes.CONFIG_INVALID, 'no backup plugin is configured, so there is nothing to prune', 'add backup() from @prevention/plugin-backup to `plugins` in your config');
  return service;
}

async function runPrune(ctx: CommandContext, options: PruneOptions): Promise<ExitCode> {
  const dryRun = options.dryRun ?? false;
  const reports = await ctx.withEngine((engine) => backupService(engine).prune({ dryRun, ...(options.file ? { file: options.file } : {}) }));
  const { output } = ctx;
  if (options.json) {
    output.json(reports);
    return ExitCode.Ok;
  }
  output.result(
    renderTable(
      ['FILE', 'STRATEGY', 'KEPT', dryRun ? 'WOULD REMOVE' : 'REMOVED'],
      reports.map((r) => [path.relative(ctx.cwd, r.file) || r.file, r.strategy, String(r.kept.length), r.removed.length === 0 ? '0' : `${r.removed.length}: ${r.removed.map((b) => b.id).join(', ')}`]),
    ),
  );
  const removed = reports.reduce((n, r) => n + r.removed.length, 0);
  output.progress(output.err.dim(dryRun ? `dry run: ${removed} backup(s) would be removed, nothing was deleted` : `${removed} backup(s) removed`));
  return ExitCode.Ok;
}

/** `prevention prune`: applies the backup strategies' retention. */
export function pruneCommand(): Command {
  const command = new Command('prune')
    .description('delete backups that the retention rules no longer keep (under each file\'s lock)')
    .option('--dry-run', 'only list what would be deleted')
    .option('--file <file>', 'only this file (default: every file the config covers, globs expanded)')
    .option('--json', 'print the reports as JSON')
    .action(action(runPrune));
  return withExamples(command, [
    ['prevention prune --dry-run', 'what would be deleted'],
    ['prevention prune', 'apply retention to every configured file'],
    ['prevention prune --file shared_context.json --json', 'one file, as JSON'],
  ]);
}
