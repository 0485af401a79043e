import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
// The scratch directory is the demo's, not a managed file: made and removed directly.
// eslint-disable-next-line no-restricted-imports
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeFileSystem } from '@prevention/core';
import type { Output } from '../output/output.js';
import { demoPayloads } from './agent-store.js';
import { writeDemoConfig } from './demo-config.js';
import { DemoStats } from './demo-stats.js';
import { DEMO_FILE, type AgentMessage, type ChaosCommand, type ChaosMessage } from './messages.js';
import { ProgressDisplay } from './progress-display.js';
import { judge, type Verdict } from './verdict.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Seconds of chaos. */
  durationS: number;
  agents: number;
  seed: number;
  /** Plain readFile/writeFile agents and no monitor, for contrast. */
  naive: boolean;
  /** Keep the temporary directory even when the verdict passes. */
  keep: boolean;
}

// Found from the package's root, not from this module: the CLI's entry point is one bundled
// file, so this code may run from dist/ as well as from dist/demo/.
const root = path.dirname(createRequire(import.meta.url).resolve('@prevention/cli/package.json'));
const here = path.join(root, 'dist', 'demo');
const BIN = path.join(root, 'bin', 'prevention.js');
/** How long the monitor may take to make the file valid again once the chaos stopped. */
const SETTLE_MS = 15_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Reads each line `stream` prints. */
function onLines(stream: NodeJS.ReadableStream, handle: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      handle(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  });
}

/**
 * The demo's supervisor. In a temporary directory with the built-in config it starts the
 * monitor daemon (`prevention monitor`), `agents` agent processes publishing to one shared
 * context through the bus, and a chaos process that damages the file and SIGKILLs agents (each
 * killed agent is replaced by a new process). After `durationS` it stops the chaos, then the
 * agents, lets the monitor finish its repair, and judges the file.
 */
export async function runDemo(options: DemoOptions, output: Output): Promise<Verdict> {
  const dir = await mkdtemp(path.join(tmpdir(), 'prevention-demo-'));
  const stats = new DemoStats();
  const display = new ProgressDisplay(output, stats, options.naive);
  const mode = options.naive ? 'naive' : 'prevention';
  const agents = new Map<string, ChildProcess>();
  const incarnations = new Map<number, number>();
  let monitor: ChildProcess | undefined;
  let chaos: ChildProcess | undefined;
  let running = true;
  output.progress(
    output.err.bold(
      `prevention demo: ${options.agents} ${options.naive ? 'NAIVE (readFile/writeFile) ' : ''}agent processes, chaos for ${options.durationS} s, seed ${options.seed}`,
    ),
  );
  output.progress(output.err.dim(`in ${dir}`));
  try {
    if (!options.naive) {
      await writeDemoConfig(dir);
      // Its own process group, so a Ctrl-C in the terminal does not stop it before the last
      // repair; the supervisor stops it, and kills it if the supervisor itself goes down.
      monitor = spawn(process.execPath, [BIN, 'monitor', '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
      const daemon = monitor;
      process.once('exit', () => daemon.exitCode === null && daemon.kill('SIGKILL'));
      const started = new Promise<void>((resolve) => {
        onLines(monitor!.stdout!, (line) => {
          let entry: { msg?: string };
          try {
            entry = JSON.parse(line) as { msg?: string };
          } catch {
            return;
          }
          if (entry.msg === 'monitoring') resolve();
          if (entry.msg === 'repaired') stats.monitorRepairs += 1;
        });
        monitor!.once('exit', () => resolve());
      });
      display.note('starting the monitor daemon…');
      await started;
      if (monitor.exitCode !== null) throw new Error(`the monitor daemon exited at start (code ${monitor.exitCode})`);
    }

    const broadcastAgents = (): void => {
      chaos?.send({ type: 'agents', pids: [...agents.values()].map((a) => a.pid!) } satisfies ChaosCommand);
    };
    let ready = 0;
    const startAgent = (index: number): void => {
      const life = (incarnations.get(index) ?? 0) + 1;
      incarnations.set(index, life);
      const name = life === 1 ? `agent-${index}` : `agent-${index}#${life}`;
      const child = fork(path.join(here, 'agent-process.js'), [dir, name, String(options.seed * 1000 + index * 10 + life), mode], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      agents.set(name, child);
      child.on('message', (message: AgentMessage) => {
        switch (message.type) {
          case 'ready':
            ready += 1;
            break;
          case 'publishing':
            stats.published += 1;
            break;
          case 'ack':
            stats.ack(name, message.n);
            break;
          case 'failed':
            stats.fail(message.code);
            break;
          case 'corrupt-read':
            stats.corruptReads += 1;
            break;
          case 'refused-read':
            stats.refusedReads += 1;
            break;
        }
      });
      child.once('exit', (_code, signal) => {
        agents.delete(name);
        if (running && signal === 'SIGKILL') {
          startAgent(index);
          broadcastAgents();
        }
      });
    };
    display.note(`starting ${options.agents} agent processes…`);
    for (let i = 1; i <= options.agents; i++) startAgent(i);
    // The clock starts when every agent is publishing: on a busy machine, starting Node
    // processes can take seconds, and that is not part of the demo.
    while (ready < options.agents && agents.size > 0) await sleep(50);
    if (agents.size < options.agents) throw new Error('an agent process exited at start; run with --keep and look at its output above');

    chaos = fork(path.join(here, 'chaos-process.js'), [dir, String(options.seed)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    chaos.on('message', (message: ChaosMessage) => {
      switch (message.type) {
        case 'damaged':
          stats.damage.set(message.kind, (stats.damage.get(message.kind) ?? 0) + 1);
          break;
        case 'recovered':
          stats.recovered += 1;
          stats.recoveryMs.push(message.ms);
          break;
        case 'unrecovered':
          stats.unrecovered += 1;
          break;
        case 'killed':
          stats.killed += 1;
          break;
      }
    });
    broadcastAgents();

    display.start();
    const fs = new NodeFileSystem();
    const file = path.join(dir, DEMO_FILE);
    let deadline = performance.now() + options.durationS * 1000;
    // Ctrl-C ends the chaos early but still stops everything in order and gives the verdict.
    const endEarly = (): void => {
      deadline = 0;
    };
    process.once('SIGINT', endEarly);
    while (performance.now() < deadline) {
      await sleep(250);
      stats.present = await countPresent(fs, file, stats.present);
    }

    process.off('SIGINT', endEarly);
    display.note('stopping the chaos, then the agents…');
    chaos.send({ type: 'stop' } satisfies ChaosCommand);
    await exited(chaos);
    running = false;
    for (const agent of agents.values()) agent.send({ type: 'stop' });
    await Promise.all([...agents.values()].map(exited));
    if (monitor) {
      // The last damage may still be under repair: give the monitor its time, as a user would.
      const settleBy = performance.now() + SETTLE_MS;
      while (performance.now() < settleBy && !(await readsValid(fs, file))) await sleep(50);
      monitor.kill('SIGTERM');
      await exited(monitor);
    }
    stats.present = await countPresent(fs, file, stats.present);
    display.stop();
    const verdict = await judge(dir, stats, mode);
    if (verdict.passed && !options.keep) await rm(dir, { recursive: true, force: true });
    else output.progress(output.err.dim(`the demo directory was kept: ${dir}`));
    return verdict;
  } finally {
    running = false;
    for (const child of [chaos, ...agents.values()]) if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (monitor && monitor.exitCode === null) {
      monitor.kill('SIGTERM');
      await exited(monitor);
    }
  }
}

async function readsValid(fs: NodeFileSystem, file: string): Promise<boolean> {
  try {
    return Array.isArray((JSON.parse((await fs.readFile(file)).toString('utf8')) as { events?: unknown }).events);
  } catch {
    return false;
  }
}

/** Demo events in the file now, or `previous` while it is damaged. */
async function countPresent(fs: NodeFileSystem, file: string, previous: number): Promise<number> {
  try {
    const context = JSON.parse((await fs.readFile(file)).toString('utf8')) as { events?: Array<{ payload?: unknown }> };
    return Array.isArray(context.events) ? demoPayloads(context.events).length : previous;
  } catch {
    return previous;
  }
}
