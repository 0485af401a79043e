import type { Command } from 'commander';
import { CommandContext } from './context.js';
import { exitCodeUnlessClosed } from './output/closed-stdout.js';
import { describeError, type ExitCode } from './output/errors.js';

/**
 * Adds an "Examples" section to a command's `--help`. Each example is a shell line and what
 * it does.
 */
export function withExamples(command: Command, examples: ReadonlyArray<readonly [string, string]>): Command {
  const width = Math.max(...examples.map(([line]) => line.length));
  const text = examples.map(([line, what]) => `  $ ${line.padEnd(width)}  ${what}`).join('\n');
  return command.addHelpText('after', `\nExamples:\n${text}\n`);
}

/**
 * Wraps a command's implementation: builds its {@link CommandContext} from the global options
 * (refusing a `--cwd` that is not a directory) and sets the process's exit code from what it
 * returns (nothing means success). Errors are left to the program, which prints them in one
 * place; with `--json` they are also printed on stdout as `{ ok: false, error }`, so a script
 * reading stdout is told what went wrong.
 */
export function action<Args extends unknown[]>(
  run: (ctx: CommandContext, ...args: Args) => Promise<ExitCode | void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const ctx = CommandContext.of(command);
    try {
      await ctx.checkDirectory();
      const code = await run(ctx, ...(args.slice(0, -1) as Args));
      process.exitCode = exitCodeUnlessClosed(code ?? 0);
    } catch (err) {
      if (command.opts<{ json?: boolean }>().json) ctx.output.json({ ok: false, error: describeError(err) });
      throw err;
    }
  };
}
