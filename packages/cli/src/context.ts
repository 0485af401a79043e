import path from 'node:path';
import { createEngine, ErrorCodes, NodeFileSystem, systemErrorCode, type EngineApi } from '@prevention/core';
import type { Command } from 'commander';
import { CliError } from './output/errors.js';
import { createCliLogger } from './output/logger.js';
import { Output } from './output/output.js';
import { colorEnabled } from './output/style.js';

/** Options every command accepts (declared on the root program). */
export interface GlobalOptions {
  /** Directory to run in; default the current one. */
  cwd?: string;
  /** Explicit config file. */
  config?: string;
  /** Show debug logs and stack traces. */
  debug?: boolean;
}

/** What a command runs with: its resolved directory, options and output. */
export class CommandContext {
  readonly cwd: string;
  readonly configFile: string | undefined;
  readonly debug: boolean;
  /** `--cwd` as given, if it was. */
  private readonly givenCwd: string | undefined;

  constructor(
    globals: GlobalOptions,
    readonly output: Output = new Output(),
  ) {
    this.givenCwd = globals.cwd;
    this.cwd = path.resolve(globals.cwd ?? process.cwd());
    this.configFile = globals.config;
    this.debug = globals.debug ?? false;
  }

  /** The context of the command being run, from the root program's options. */
  static of(command: Command): CommandContext {
    return new CommandContext(command.optsWithGlobals<GlobalOptions>());
  }

  /**
   * Refuses a `--cwd` that is not a directory, which would otherwise surface as a missing
   * config or file far from its cause.
   */
  async checkDirectory(): Promise<void> {
    const given = this.givenCwd;
    if (given === undefined) return;
    const stats = await new NodeFileSystem().stat(this.cwd).catch((err: unknown) => {
      const code = systemErrorCode(err);
      throw new CliError(ErrorCodes.USAGE, `--cwd ${given}: ${code === 'ENOENT' ? 'no such directory' : `cannot be used (${code ?? String(err)})`}`, 'check the path given to --cwd', undefined, { cause: err });
    });
    if (!stats.isDirectory()) throw new CliError(ErrorCodes.USAGE, `--cwd ${given}: not a directory`, 'check the path given to --cwd');
  }

  /** `file` resolved against the command's directory. */
  resolve(file: string): string {
    return path.resolve(this.cwd, file);
  }

  /**
   * Creates an engine from the project's config (or `--config`). A monitor plugin in the config
   * stays idle: a command must never start watching or repairing files behind the user's back
   * (that is `prevention monitor`'s job).
   */
  openEngine(): Promise<EngineApi> {
    return createEngine({
      cwd: this.cwd,
      ...(this.configFile ? { configFile: this.configFile } : {}),
      logger: createCliLogger({ debug: this.debug, color: colorEnabled(process.stderr) }),
      background: false,
    });
  }

  /** Runs `work` with an engine, closing it afterwards whatever happens. */
  async withEngine<T>(work: (engine: EngineApi) => Promise<T>): Promise<T> {
    const engine = await this.openEngine();
    try {
      return await work(engine);
    } finally {
      await engine.close();
    }
  }
}
