import { colorEnabled, paletteFor, type Palette } from './style.js';

/** A writable text stream (stdout, stderr, or a test double). */
export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Where a command's output goes: results (data a script may parse) on stdout, progress and
 * diagnostics on stderr, each with its own colour decision.
 */
export class Output {
  /** Styling for stdout. */
  readonly out: Palette;
  /** Styling for stderr. */
  readonly err: Palette;

  constructor(
    private readonly stdout: TextStream = process.stdout,
    private readonly stderr: TextStream = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.out = paletteFor(colorEnabled(stdout, env));
    this.err = paletteFor(colorEnabled(stderr, env));
  }

  /** Whether stderr is an interactive terminal (live progress redraws in place only there). */
  get interactive(): boolean {
    return this.stderr.isTTY === true;
  }

  /** A result line on stdout. */
  result(text: string): void {
    this.stdout.write(`${text}\n`);
  }

  /** A value as pretty JSON on stdout. */
  json(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON value per line on stdout (for streams such as followed events). */
  jsonLine(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** A progress or diagnostic line on stderr. */
  progress(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  /** Raw text on stderr (for in-place redraws). */
  progressRaw(text: string): void {
    this.stderr.write(text);
  }
}
