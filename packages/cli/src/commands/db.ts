import { Command } from 'commander';
import type { StoreMigrationStatus } from '@prevention/core';
import { action, withExamples } from '../command-kit.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output/errors.js';
import type { Output } from '../output/output.js';

interface MigrateOptions {
  dryRun?: boolean;
  json?: boolean;
}

function describeStatus(output: Output, kind: string, status: StoreMigrationStatus): void {
  const style = output.out;
  const state = status.pending.length === 0 ? style.green('up to date') : style.yellow(`${status.pending.length} pending`);
  output.result(`${kind} store: schema version ${status.applied} of ${status.required}, ${state}`);
  for (const m of status.migrations) output.result(`  applied  ${m.version}  ${m.description} (${m.appliedAt.toISOString()})`);
  for (const m of status.pending) output.result(`  pending  ${m.version}  ${m.description}`);
}

async function runMigrate(ctx: CommandContext, options: MigrateOptions): Promise<ExitCode> {
  const { output } = ctx;
  return ctx.withEngine(async (engine) => {
    // The capability is the store's (see DocumentStore.migrations): the CLI knows no store package.
    const { store } = engine;
    const migrations = store.migrations?.();
    const { kind } = store;
    if (!migrations) {
      if (options.json) output.json({ store: kind, migrations: false });
      else output.result(`the configured store (${kind}) has no migrations: nothing to do`);
      return ExitCode.Ok;
    }
    const before = await migrations.status();
    if (options.dryRun || before.pending.length === 0) {
      if (options.json) output.json({ store: kind, dryRun: options.dryRun ?? false, ...before, appliedNow: [] });
      else describeStatus(output, kind, before);
      if (options.dryRun && !options.json && before.pending.length > 0) output.progress(output.err.dim('dry run: nothing was changed; run `prevention db migrate` to apply'));
      return ExitCode.Ok;
    }
    const after = await migrations.apply();
    const appliedNow = before.pending.filter((m) => m.version <= after.applied);
    if (options.json) {
      output.json({ store: kind, dryRun: false, ...after, appliedNow });
    } else {
      output.result(`applied ${appliedNow.length} migration(s)`);
      describeStatus(output, kind, after);
    }
    return ExitCode.Ok;
  });
}

/** `prevention db migrate`: shows and applies the configured store's schema migrations. */
export function dbCommand(): Command {
  const db = new Command('db').description("the configured store's database: its schema migrations");
  const migrate = new Command('migrate')
    .description("show the store's schema version and pending migrations, and apply them (a store without a schema, such as files, has none)")
    .option('--dry-run', 'only show the version applied and the migrations pending; change nothing')
    .option('--json', 'print the status as JSON')
    .action(action(runMigrate));
  db.addCommand(
    withExamples(migrate, [
      ['prevention db migrate --dry-run', 'the schema version and what would be applied'],
      ['prevention db migrate', 'apply the pending migrations (a deploy step; running it twice is harmless)'],
    ]),
  );
  return db;
}
