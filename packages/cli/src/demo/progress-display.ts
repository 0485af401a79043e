import type { Output } from '../output/output.js';
import { percentile99, type DemoStats } from './demo-stats.js';

/**
 * The demo's live progress on stderr: one line redrawn in place on a terminal, a line every few
 * seconds otherwise (a log or CI keeps a readable trace).
 */
export class ProgressDisplay {
  private timer: NodeJS.Timeout | undefined;
  private lastPlainAt = 0;

  constructor(
    private readonly output: Output,
    private readonly stats: DemoStats,
    private readonly naive: boolean,
  ) {}

  private started = 0;

  start(): void {
    this.started = performance.now();
    this.timer = setInterval(() => this.draw(false), this.output.interactive ? 200 : 1000);
  }

  /** Draws a last line and stops. */
  stop(): void {
    clearInterval(this.timer);
    this.draw(true);
  }

  /** A one-off message that must not be overwritten by the next redraw. */
  note(text: string): void {
    if (this.output.interactive) this.output.progressRaw('\r\u001b[2K');
    this.output.progress(this.output.err.dim(text));
  }

  private line(): string {
    const s = this.stats;
    const style = this.output.err;
    const p99 = percentile99(s.recoveryMs);
    const seconds = ((performance.now() - this.started) / 1000).toFixed(0).padStart(3);
    const parts = [
      `${seconds}s`,
      `published ${s.published}`,
      `acknowledged ${s.acknowledged}`,
      `present ${s.present}`,
      `corruptions ${style.yellow(String(s.corruptions))}`,
      this.naive ? `corrupt reads ${style.red(String(s.corruptReads))}` : `repaired ${style.green(String(s.recovered))}`,
      this.naive ? undefined : `p99 repair ${p99 === undefined ? '-' : `${Math.round(p99)} ms`}`,
      `agents killed ${s.killed}`,
    ];
    return parts.filter((p) => p !== undefined).join('  ');
  }

  private draw(final: boolean): void {
    if (this.output.interactive) {
      this.output.progressRaw(`\r\u001b[2K${this.line()}${final ? '\n' : ''}`);
      return;
    }
    const now = performance.now();
    if (final || now - this.lastPlainAt >= 5000) {
      this.lastPlainAt = now;
      this.output.progress(this.line());
    }
  }
}
