import { Writable } from 'node:stream';
import { NodeFileSystem, REDACT_PATHS, systemClock, type Alert, type AlertSink, type Logger } from '@prevention/core';
import { TempDirs } from '@prevention/core/testing';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import type { SinkServices } from '../sinks/sink-definition.js';

const dirs = new TempDirs();
afterEach(() => dirs.removeAll());

/** A fresh temp directory, removed after the test. */
export const tempDir = (): Promise<string> => dirs.make('prevention-alerts-');

/** A sink that keeps every notification it is sent. */
export class RecordingSink implements AlertSink {
  readonly notifications: Alert[][] = [];

  constructor(readonly name = 'recording') {}

  async send(alerts: Alert[]): Promise<void> {
    this.notifications.push(alerts);
  }

  async close(): Promise<void> {}
}

/** A sink that keeps every notification it is sent, each `send` settling only when {@link release} is called. */
export class HeldSink implements AlertSink {
  readonly notifications: Alert[][] = [];
  private readonly held: Array<() => void> = [];

  constructor(readonly name = 'held') {}

  send(alerts: Alert[]): Promise<void> {
    this.notifications.push(alerts);
    return new Promise((resolve) => this.held.push(resolve));
  }

  /** Settles every send made so far. */
  release(): void {
    for (const settle of this.held.splice(0)) settle();
  }

  async close(): Promise<void> {}
}

/** A sink whose `send` never settles. */
export class HangingSink implements AlertSink {
  calls = 0;

  constructor(readonly name = 'hanging') {}

  send(): Promise<void> {
    this.calls++;
    return new Promise(() => undefined);
  }

  async close(): Promise<void> {}
}

/** A pino logger (at `trace`, with prevention's redaction) whose every line is kept. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = pino({ level: 'trace', redact: { paths: [...REDACT_PATHS], censor: '[redacted]' } }, stream);
  return { logger, lines };
}

/** Real services for building sinks outside an engine. */
export function sinkServices(cwd: string, logger: Logger = pino({ level: 'silent' })): SinkServices {
  return { fs: new NodeFileSystem(), logger, clock: systemClock, cwd, keepSecret: (secret) => secret };
}

/** Waits until `condition` holds, polling; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
