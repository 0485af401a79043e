import { Command } from 'commander';
import type { BusEvent } from '@prevention/core';
import { action, withExamples } from '../command-kit.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output/errors.js';
import type { Output } from '../output/output.js';
import { collect, wholeNumber } from '../output/parse-options.js';
import { untilStopped } from '../output/signals.js';

interface EventsOptions {
  since?: number;
  type?: string[];
  source?: string[];
  limit?: number;
  follow?: boolean;
  json?: boolean;
}

/** Prints one event: a JSON line, or tab-separated `seq timestamp source type payload`. */
function printEvent(output: Output, event: BusEvent, json: boolean): void {
  if (json) return output.jsonLine(event);
  const style = output.out;
  output.result([style.dim(String(event.seq)), style.dim(event.timestamp), event.source, style.cyan(event.type), JSON.stringify(event.payload)].join('\t'));
}

async function runEvents(ctx: CommandContext, file: string, options: EventsOptions): Promise<ExitCode> {
  const json = options.json ?? false;
  const engine = await ctx.openEngine();
  try {
    const bus = engine.bus(file);
    const listed = await bus.events({
      since: options.since ?? 0,
      ...(options.type ? { type: options.type } : {}),
      ...(options.source ? { source: options.source } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
    for (const event of listed) printEvent(ctx.output, event, json);
    if (!options.follow) return ExitCode.Ok;

    const sources = options.source ? new Set(options.source) : undefined;
    // Follow on from the last event printed: what came after it was filtered out (and is again)
    // or published since, so nothing is printed twice or skipped.
    const since = listed.at(-1)?.seq ?? options.since ?? 0;
    ctx.output.progress(ctx.output.err.dim(`following ${engine.resolvePath(file)} after seq ${since}; Ctrl-C to stop`));
    bus.subscribe(
      (event) => {
        if (!sources || sources.has(event.source)) printEvent(ctx.output, event, json);
      },
      { since, ...(options.type ? { types: options.type } : {}) },
    );
    await untilStopped();
    return ExitCode.Ok;
  } finally {
    await engine.close();
  }
}

/** `prevention events <file>`: lists (and follows) a shared context's events. */
export function eventsCommand(): Command {
  const command = new Command('events')
    .description('list the events of a shared context file, oldest first; --follow prints new ones as they are committed')
    .argument('<file>', 'the shared context file')
    .option('--since <seq>', 'only events after this seq', wholeNumber(0))
    .option('--type <type>', 'only this event type (repeatable)', collect)
    .option('--source <source>', 'only events from this source (repeatable)', collect)
    .option('--limit <n>', 'at most this many (the oldest first)', wholeNumber(1))
    .option('-f, --follow', 'keep running and print events as any process publishes them')
    .option('--json', 'one JSON object per line')
    .action(action(runEvents));
  return withExamples(command, [
    ['prevention events shared_context.json', 'every event: seq, timestamp, source, type, payload (tab-separated)'],
    ['prevention events shared_context.json --since 120 --type task.done', 'filtered'],
    ['prevention events shared_context.json --follow --json | jq .payload', 'stream new events as JSON lines'],
  ]);
}
