import { Command } from 'commander';
import { ErrorCodes, NodeFileSystem, type EngineApi } from '@prevention/core';
import { checkFile, type FileReport } from '../checks/file-check.js';
import { action, withExamples } from '../command-kit.js';
import type { CommandContext } from '../context.js';
import { CliError, ExitCode } from '../output/errors.js';
import { renderTable } from '../output/table.js';
import type { Palette } from '../output/style.js';

interface CheckOptions {
  json?: boolean;
}

/** The files to check: those named, else every file the config covers (globs expanded). */
export async function filesToCheck(ctx: CommandContext, engine: EngineApi, named: readonly string[]): Promise<string[]> {
  if (named.length > 0) return named.map((file) => engine.resolvePath(file));
  if (!engine.config.configFile) {
    throw new CliError(ErrorCodes.CONFIG_INVALID, `no prevention config found from ${ctx.cwd}`, 'run `prevention init` to create one, or name the files: prevention check shared_context.json');
  }
  if (engine.config.files.length === 0) {
    throw new CliError(ErrorCodes.CONFIG_INVALID, `${engine.config.configFile} names no files`, 'add an entry to `files`, for example { path: "shared_context.json" }, or name the files to check');
  }
  const { store } = engine;
  const unlisted = store.kind !== 'file' && !store.list;
  if (unlisted && engine.fileGlobs().length > 0) {
    // Globs are matched against this machine's disk, where such a store's documents are not.
    ctx.output.progress(ctx.output.err.yellow(`the glob entries of \`files\` are not expanded: the ${store.kind} store keeps its documents off this disk and cannot list them; name the files (in \`files\` or on the command line)`));
  }
  const files = unlisted ? engine.configuredFiles() : await engine.managedFiles();
  if (files.length === 0) {
    throw new CliError(ErrorCodes.USAGE, `no file matches the globs in \`files\` of ${engine.config.configFile}`, 'check the patterns (they are relative to the config file), or name the files to check');
  }
  return files;
}

/** A report's status word, coloured. */
export function statusLabel(report: FileReport, style: Palette): string {
  switch (report.status) {
    case 'ok':
      return style.green('ok');
    case 'absent':
      return style.dim('not created');
    case 'warning':
      return style.yellow('warning');
    case 'problem':
      return style.red('PROBLEM');
  }
}

/** One line saying what matters most about a file. */
export function summaryOf(report: FileReport): string {
  if (report.findings.length > 0) {
    const [first, ...rest] = report.findings;
    return rest.length > 0 ? `${first!.message} (+${rest.length} more)` : first!.message;
  }
  if (report.status === 'absent') return 'no commit yet';
  // Adopted as it is by the first write, which then validates the whole document.
  if (!report.lastCommit) return `valid, ${report.bytes} bytes, never committed by prevention`;
  return `valid, ${report.bytes} bytes, matches its last commit`;
}

/** `file` relative to the command's directory when it lies inside it. */
export function relativePath(ctx: CommandContext, file: string): string {
  return file.startsWith(`${ctx.cwd}/`) ? file.slice(ctx.cwd.length + 1) : file;
}

async function runCheck(ctx: CommandContext, named: string[], options: CheckOptions): Promise<ExitCode> {
  const reports = await ctx.withEngine(async (engine) => {
    const fs = new NodeFileSystem();
    const found: FileReport[] = [];
    for (const file of await filesToCheck(ctx, engine, named)) found.push(await checkFile(engine, fs, file));
    return found;
  });
  const ok = reports.every((r) => r.status !== 'problem');
  const { output } = ctx;
  if (options.json) {
    output.json({ ok, files: reports });
  } else {
    const rows: string[][] = [];
    for (const report of reports) {
      const [first, ...rest] = report.findings;
      rows.push([relativePath(ctx, report.file), statusLabel(report, output.out), first?.message ?? summaryOf(report)]);
      // Every finding gets its own line, so nothing is hidden behind the first.
      for (const finding of rest) rows.push(['', '', finding.message]);
    }
    output.result(renderTable(['FILE', 'STATUS', 'DETAIL'], rows));
    const problems = reports.filter((r) => r.status === 'problem').length;
    output.progress(problems === 0 ? output.err.green(`${reports.length} file(s) checked, no problems`) : output.err.red(`${problems} of ${reports.length} file(s) have problems`));
  }
  return ok ? ExitCode.Ok : ExitCode.Problems;
}

/** `prevention check [files...]`: validates files (parse, schema, baseline). */
export function checkCommand(): Command {
  const command = new Command('check')
    .description('validate files: they must parse, pass their schema and match their last commit')
    .argument('[files...]', 'files to check (default: every file the config covers, globs expanded)')
    .option('--json', 'print the reports as JSON')
    .action(action(runCheck));
  return withExamples(command, [
    ['prevention check', 'check every file the config covers, globs expanded'],
    ['prevention check shared_context.json', 'check one file'],
    ['prevention check --json | jq .ok', 'for scripts: exit code 0 ok, 1 problems, 2 usage or config error'],
  ]);
}
