import { Command, Option } from 'commander';
import { ErrorCodes, locateJsonError, NodeFileSystem, suggestName, type EngineApi, type EventFormat, type JsonValue } from '@prevention/core';
import { action, withExamples } from '../command-kit.js';
import type { CommandContext } from '../context.js';
import { CliError, ExitCode } from '../output/errors.js';
import { atPosition } from '../output/format.js';
import { wholeNumber } from '../output/parse-options.js';
import { relativePath } from './check.js';

const EVENT_FORMATS: EventFormat[] = ['auto', 'prevention', 'legacy-event', 'legacy-event-type'];

interface PublishOptions {
  type: string;
  source: string;
  payload?: string;
  payloadFile?: string;
  correlationId?: string;
  maxPayloadBytes?: number;
  create?: boolean;
  format?: EventFormat;
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

/**
 * Refuses a file no `files` entry covers: a mistyped name would otherwise become a new file
 * that nothing checks, backs up the way its config says, or monitors.
 */
async function assertManaged(ctx: CommandContext, engine: EngineApi, file: string): Promise<void> {
  const absolute = engine.resolvePath(file);
  if (engine.configuredFiles().includes(absolute) || engine.fileGlobs().some((glob) => glob.matches(absolute))) return;
  const { configFile } = engine.config;
  if (!configFile) {
    throw new CliError(ErrorCodes.USAGE, `${file} is not managed by prevention: no prevention config found from ${ctx.cwd}`, `run \`prevention init --file ${file}\` to manage it, or pass --create to publish to it anyway`);
  }
  const managed = (await engine.managedFiles()).map((path) => relativePath(ctx, path));
  const nearest = suggestName(relativePath(ctx, absolute), managed);
  throw new CliError(
    ErrorCodes.USAGE,
    `${file} is not managed by prevention: no entry of \`files\` in ${relativePath(ctx, configFile)} covers it${nearest ? ` (did you mean ${nearest}?)` : ''}`,
    'publish to a managed file, add this one to `files`, or pass --create to publish to it anyway',
  );
}

async function runPublish(ctx: CommandContext, file: string, options: PublishOptions): Promise<ExitCode> {
  const payload = await payloadOf(ctx, options);
  const event = await ctx.withEngine(async (engine) => {
    if (!options.create) await assertManaged(ctx, engine, file);
    const bus = engine.bus(file, {
      ...(options.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: options.maxPayloadBytes }),
      ...(options.create ? { addEvents: true } : {}),
      ...(options.format ? { eventFormat: options.format } : {}),
    });
    return bus.publish({ type: options.type, source: options.source, payload, ...(options.correlationId ? { correlationId: options.correlationId } : {}) });
  });
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
    .option('--max-payload-bytes <n>', 'refuse a payload larger than this, serialized (default 1048576: 1 MiB)', wholeNumber(1))
    .addOption(
      new Option('--format <format>', "the shape the event is stored in (default: the file's eventFormat setting, else the shape of its newest event)").choices(EVENT_FORMATS),
    )
    .option('--create', 'publish where that creates something: a file no config entry covers, or the events array of an existing object without one')
    .option('--json', 'print the published event as JSON')
    .action(action(runPublish));
  return withExamples(command, [
    [`prevention publish shared_context.json --type task.created --source planner --payload '{"id":7}'`, 'publish with an inline payload'],
    ['prevention publish shared_context.json -t report -s ci --payload-file report.json', 'payload from a file'],
    [`echo '{"ok":true}' | prevention publish ctx.json -t check -s cron --payload-file - --json`, 'from standard input; print the event'],
  ]);
}
