import { Command } from 'commander';
import { ErrorCodes, locateJsonError, NodeFileSystem, type JsonValue } from '@prevention/core';
import { action, withExamples } from '../command-kit.js';
import type { CommandContext } from '../context.js';
import { CliError, ExitCode } from '../output/errors.js';
import { atPosition } from '../output/format.js';

interface PublishOptions {
  type: string;
  source: string;
  payload?: string;
  payloadFile?: string;
  correlationId?: string;
  json?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The payload from --payload or --payload-file (`-` for stdin), parsed as JSON. */
async function payloadOf(ctx: CommandContext, options: PublishOptions): Promise<JsonValue> {
  if (options.payload !== undefined && options.payloadFile !== undefined) {
    throw new CliError(ErrorCodes.USAGE, '--payload and --payload-file cannot be used together', 'pass the payload inline or in a file, not both');
  }
  let text: string;
  let from: string;
  if (options.payloadFile !== undefined) {
    from = options.payloadFile === '-' ? 'standard input' : options.payloadFile;
    text = options.payloadFile === '-' ? await readStdin() : (await new NodeFileSystem().readFile(ctx.resolve(options.payloadFile)).catch((err: Error) => {
      throw new CliError(ErrorCodes.IO_FAILED, `cannot read the payload file ${options.payloadFile}: ${err.message}`, 'check the path');
    })).toString('utf8');
  } else if (options.payload !== undefined) {
    from = '--payload';
    text = options.payload;
  } else {
    return null;
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    // JSON.parse's own message quotes the payload, which may hold a secret.
    const at = locateJsonError(text);
    throw new CliError(ErrorCodes.USAGE, `the payload from ${from} is not valid JSON${at ? ` ${atPosition(at)}: ${at.reason}` : ''}`, `quote it for the shell, for example --payload '{"task":"build"}'`);
  }
}

async function runPublish(ctx: CommandContext, file: string, options: PublishOptions): Promise<ExitCode> {
  const payload = await payloadOf(ctx, options);
  const event = await ctx.withEngine((engine) =>
    engine.bus(file).publish({ type: options.type, source: options.source, payload, ...(options.correlationId ? { correlationId: options.correlationId } : {}) }),
  );
  if (options.json) ctx.output.json(event);
  else ctx.output.result(`published ${event.type} as seq ${event.seq} (id ${event.id})`);
  return ExitCode.Ok;
}

/** `prevention publish <file>`: appends one event to a shared context file through the bus. */
export function publishCommand(): Command {
  const command = new Command('publish')
    .description('publish one event to a shared context file (locked, validated, backed up, atomic)')
    .argument('<file>', 'the shared context file')
    .requiredOption('-t, --type <type>', 'event type, for example task.created')
    .requiredOption('-s, --source <source>', 'who publishes it, for example agent-1')
    .option('-p, --payload <json>', 'the payload, as JSON')
    .option('--payload-file <file>', 'read the payload from a JSON file (- for standard input)')
    .option('--correlation-id <id>', 'ties the event to a conversation or task')
    .option('--json', 'print the published event as JSON')
    .action(action(runPublish));
  return withExamples(command, [
    [`prevention publish shared_context.json --type task.created --source planner --payload '{"id":7}'`, 'publish with an inline payload'],
    ['prevention publish shared_context.json -t report -s ci --payload-file report.json', 'payload from a file'],
    [`echo '{"ok":true}' | prevention publish ctx.json -t check -s cron --payload-file - --json`, 'from standard input; print the event'],
  ]);
}
