import { Command } from 'commander';
import { action, withExamples } from '../command-kit.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output/errors.js';
import { wholeNumber } from '../output/parse-options.js';

interface DemoCommandOptions {
  duration: number;
  agents: number;
  seed?: number;
  naive?: boolean;
  keep?: boolean;
  json?: boolean;
}

async function runDemoCommand(ctx: CommandContext, options: DemoCommandOptions): Promise<ExitCode> {
  // The demo's modules (processes, chaos, the live display) load only when it runs.
  const [{ runDemo }, { printVerdict }] = await Promise.all([import('../demo/run-demo.js'), import('../demo/verdict-report.js')]);
  const seed = options.seed ?? Math.floor(Math.random() * 1_000_000);
  const verdict = await runDemo({ durationS: options.duration, agents: options.agents, seed, naive: options.naive ?? false, keep: options.keep ?? false }, ctx.output);
  if (options.json) ctx.output.json({ seed, ...verdict });
  else printVerdict(ctx.output, verdict);
  return verdict.passed ? ExitCode.Ok : ExitCode.Problems;
}

/** `prevention demo`: agents, chaos and the monitor on a temporary shared context. */
export function demoCommand(): Command {
  const command = new Command('demo')
    .description(
      'the main job, live: agent processes publish to one shared_context.json while a chaos process truncates it, fills it with garbage, ' +
        'overwrites and deletes it, and SIGKILLs agents; the monitor repairs. Ends with a verdict: exit 0 only if no acknowledged event was lost',
    )
    .option('--duration <seconds>', 'how long the chaos runs', wholeNumber(1), 15)
    .option('--agents <n>', 'agent processes', wholeNumber(1), 4)
    .option('--seed <n>', 'replay a run: the same seed gives the same pauses and chaos schedule (default random)', wholeNumber(0))
    .option('--naive', 'the same run with plain readFile/writeFile agents and no monitor, which lose events')
    .option('--keep', 'keep the temporary directory (it is always kept when the verdict fails)')
    .option('--json', 'print the verdict as JSON')
    .action(action(runDemoCommand));
  return withExamples(command, [
    ['prevention demo', '15 s, 4 agents: expect 0 lost, 0 corrupt reads, every corruption repaired'],
    ['prevention demo --naive', 'the same with naive agents: events are lost (exit 1)'],
    ['prevention demo --duration 60 --agents 8 --seed 7 --keep', 'longer, busier, replayable, and look at the files afterwards'],
  ]);
}
