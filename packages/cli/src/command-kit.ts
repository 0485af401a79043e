import type { Command } from 'commander';
import { CommandContext } from './context.js';
import { exitCodeUnlessClosed } from './output/closed-stdout.js';
import type { ExitCode } from './output/errors.js';

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
 * and sets the process's exit code from what it returns (nothing means success). Errors are
 * left to the program, which prints them in one place.
 */
export function action<Args extends unknown[]>(
  run: (ctx: CommandContext, ...args: Args) => Promise<ExitCode | void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const code = await run(CommandContext.of(command), ...(args.slice(0, -1) as Args));
    process.exitCode = exitCodeUnlessClosed(code ?? 0);
  };
}
