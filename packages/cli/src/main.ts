import { CommanderError, type Command } from 'commander';
import { endQuietlyWhenStdoutCloses, exitCodeUnlessClosed } from './output/closed-stdout.js';
import { exitCodeFor, ExitCode, formatError } from './output/errors.js';
import { Output } from './output/output.js';
import { createProgram } from './program.js';

/**
 * Makes commander throw instead of exiting, print its errors in red (on a colour terminal) and
 * point at --help, on the program and every command below it (commands added with
 * `addCommand` do not inherit these settings).
 */
function configure(command: Command, output: Output): void {
  command.exitOverride();
  command.configureOutput({ outputError: (text, write) => write(output.err.red(text)) });
  command.showHelpAfterError('(add --help for usage and examples)');
  for (const sub of command.commands) configure(sub, output);
}

/**
 * Runs the `prevention` command line: parses `argv`, runs the command, prints a failure as one
 * line with a hint (the stack only with `--debug`) and sets the process's exit code: 0 success,
 * 1 problems found, 2 usage or configuration errors.
 */
export async function run(argv: readonly string[] = process.argv): Promise<void> {
  endQuietlyWhenStdoutCloses();
  const output = new Output();
  const program = createProgram();
  configure(program, output);
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed the message; help and --version end with 0.
      process.exitCode = err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
      return;
    }
    output.progress(formatError(err, output.err, argv.includes('--debug')));
    process.exitCode = exitCodeUnlessClosed(exitCodeFor(err));
  }
}
