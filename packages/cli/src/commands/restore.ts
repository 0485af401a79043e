import path from 'node:path';
import { Command } from 'commander';
import { ErrorCodes } from '@prevention/core';
import { describeArchiveDamage, repairArchiveOf } from '../checks/archive-check.js';
import { resolveBackupId } from '../backups/backup-ids.js';
import { action, withExamples } from '../command-kit.js';
import type { CommandContext } from '../context.js';
import { CliError, ExitCode } from '../output/errors.js';
import { formatBytes, shortSha } from '../output/format.js';

interface RestoreOptions {
  id?: string;
  dryRun?: boolean;
  json?: boolean;
}

async function runRestore(ctx: CommandContext, file: string, options: RestoreOptions): Promise<ExitCode> {
  const { output } = ctx;
  return ctx.withEngine(async (engine) => {
    const id = options.id === undefined ? undefined : resolveBackupId(await engine.backups(file), options.id, file);
    if (options.dryRun) {
      const record = await engine.planRestore(file, id === undefined ? {} : { id });
      if (options.json) output.json({ dryRun: true, file: engine.resolvePath(file), backup: record });
      else output.result(`would restore ${file} from ${record.strategy} backup ${record.id} (${record.createdAt.toISOString()}, ${formatBytes(record.bytes)}, sha256 ${shortSha(record.sha256)}); nothing was changed`);
      return ExitCode.Ok;
    }
    const result = await engine.restore(file, id === undefined ? {} : { id });
    // The archive is acknowledged data too: put it back from its copy, against the restored version.
    const archive = await repairArchiveOf(engine, file);
    if (options.json) {
      output.json({ dryRun: false, file: result.file, backup: result.backup, sha256: result.sha256, bytes: result.bytes, quarantined: result.quarantined ?? null, archive: archive ?? null });
    } else {
      output.result(`restored ${file} from ${result.backup.strategy} backup ${result.backup.id} (sha256 ${shortSha(result.sha256)})`);
      // A file store's quarantine is a path; another store's is its own locator (`postgres:quarantine/12`).
      if (result.quarantined) output.result(`the replaced version was kept in ${path.isAbsolute(result.quarantined) ? path.relative(ctx.cwd, result.quarantined) : result.quarantined}`);
      if (archive?.repaired) output.result(`put back its event archive from its copy (${archive.lines} committed lines; it was damaged: ${archive.problem})`);
    }
    if (archive && archive.state === 'damaged' && !archive.repaired) throw new CliError(ErrorCodes.RESTORE_FAILED, describeArchiveDamage(archive), 'both copies were left as they are; put the archive back by hand from a copy of the state directory', ExitCode.Problems);
    return ExitCode.Ok;
  });
}

/** `prevention restore <file>`: puts a backup back through the pipeline. */
export function restoreCommand(): Command {
  const command = new Command('restore')
    .description('restore a file from a backup through the pipeline (locked, atomic, verified); the replaced version is kept aside')
    .argument('<file>', 'the data file')
    .option('--id <id>', 'the backup to restore: its id or a unique start of it, as `prevention backups` shows it; default the newest valid one')
    .option('--dry-run', 'only say which backup would be restored')
    .option('--json', 'print the result as JSON')
    .action(action(runRestore));
  return withExamples(command, [
    ['prevention restore shared_context.json --dry-run', 'which backup would be used'],
    ['prevention restore shared_context.json', 'restore the newest backup that is intact and valid'],
    ['prevention restore shared_context.json --id 2026-11-26T19-30-00-12', 'restore one backup, by the short id `prevention backups` lists'],
  ]);
}

