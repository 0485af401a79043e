import path from 'node:path';
import { ErrorCodes, PreventionError, type Alert, type AlertSink, type FileSystem } from '@prevention/core';
import { Spool } from '../delivery/spool.js';
import type { CommonSinkOptions, SinkDefinition } from './sink-definition.js';

/** Options of {@link fileSink}. */
export interface FileSinkOptions extends CommonSinkOptions {
  /** The JSON Lines file alerts are appended to (relative to the engine's `cwd`). */
  path: string;
  /** Where undeliverable notifications of every sink wait for a retry; default `<path>.spool` beside it. */
  spoolDir?: string;
}

/**
 * Appends alerts to a JSON Lines file, one alert per line. Each notification is one `write`
 * on a descriptor opened with O_APPEND, then fsynced, so concurrent writers (other processes
 * too) never interleave inside a line and an acknowledged alert survives a crash. It also owns
 * the spool the router keeps undeliverable notifications in.
 */
export class FileAlertSink implements AlertSink {
  /** The spool for notifications that could not be delivered. */
  readonly spool: Spool;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly fs: FileSystem,
    /** Absolute path of the JSON Lines file. */
    readonly file: string,
    spoolDir: string,
  ) {
    this.spool = new Spool(fs, spoolDir);
  }

  send(alerts: Alert[]): Promise<void> {
    const bytes = Buffer.from(alerts.map((alert) => `${JSON.stringify(alert)}\n`).join(''));
    // Appends are chained so this process's lines keep their order.
    const append = this.tail.then(() => this.append(bytes));
    this.tail = append.catch(() => undefined);
    return append;
  }

  async health(): Promise<{ ok: boolean; message: string }> {
    try {
      await this.fs.mkdir(path.dirname(this.file), { recursive: true });
      await this.fs.close(await this.fs.open(this.file, this.fs.flags.append, 0o644));
      return { ok: true, message: `${this.file} is writable` };
    } catch (err) {
      return { ok: false, message: `${this.file} is not writable (${(err as Error).message})` };
    }
  }

  async close(): Promise<void> {
    await this.tail;
  }

  private async append(bytes: Buffer): Promise<void> {
    let fd: number | undefined;
    try {
      await this.fs.mkdir(path.dirname(this.file), { recursive: true });
      fd = await this.fs.open(this.file, this.fs.flags.append, 0o644);
      let offset = 0;
      while (offset < bytes.length) offset += await this.fs.write(fd, bytes, offset, bytes.length - offset, null);
      await this.fs.fsync(fd);
    } catch (cause) {
      throw new PreventionError(ErrorCodes.ALERT_DELIVERY_FAILED, `file sink "${this.name}" could not append to ${this.file}; check the directory exists and is writable`, { file: this.file, cause });
    } finally {
      if (fd !== undefined) await this.fs.close(fd).catch(() => undefined);
    }
  }
}

/**
 * A sink that appends alerts to a JSON Lines file. The first file sink is also where every
 * sink's undeliverable notifications are spooled for retry; the plugin adds one when none is
 * configured.
 */
export function fileSink(options: FileSinkOptions): SinkDefinition {
  if (typeof options?.path !== 'string' || options.path === '') throw new PreventionError(ErrorCodes.CONFIG_INVALID, 'alerts: fileSink needs a path, for example fileSink({ path: "logs/alerts.jsonl" })');
  const name = options.name ?? 'file';
  return {
    name,
    sendResolved: options.sendResolved ?? true,
    create: ({ fs, cwd }) => {
      const file = path.resolve(cwd, options.path);
      return new FileAlertSink(name, fs, file, path.resolve(cwd, options.spoolDir ?? `${file}.spool`));
    },
  };
}
