import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** A fixture process: its JSON report lines, its stdin, its exit. */
export class Agent {
  readonly messages: Array<Record<string, unknown>> = [];
  private stderr = '';
  private readonly waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(
    readonly label: string,
    fixture: string,
    settings: Record<string, unknown>,
  ) {
    this.child = spawn(process.execPath, [path.join(FIXTURES, fixture)], { env: { ...process.env, FIXTURE: JSON.stringify(settings) }, stdio: ['pipe', 'pipe', 'pipe'] });
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.messages.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.messages.push({ text: line });
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => {
      for (const wake of this.waiters.splice(0)) wake();
      resolve(code);
    }));
  }

  /** The first report with `key`, waiting for it; fails if the process reports a fatal error or exits first. */
  async message(key: string, timeoutMs = 120_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const fatal = this.messages.find((m) => 'fatal' in m);
      if (fatal) throw new Error(`${this.label} failed: ${JSON.stringify(fatal)}\n${this.stderr}`);
      const found = this.messages.find((m) => key in m);
      if (found) return found;
      if (this.child.exitCode !== null) throw new Error(`${this.label} exited (${this.child.exitCode}) before reporting ${key}\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`${this.label} did not report ${key} within ${timeoutMs} ms\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** What the process wrote to stderr (the engine's warnings among it). */
  get errorOutput(): string {
    return this.stderr;
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** Starts agents, waits for every one to be ready, then lets them all go at once. */
export async function startTogether(agents: Agent[]): Promise<void> {
  await Promise.all(agents.map((a) => a.message('ready')));
  for (const agent of agents) agent.send('go');
}
