import type { HealthCheck, HealthResult } from './health-check.js';

/** `validation`: the last full validation pass is recent, so the monitor is not stuck. */
export class ValidationAgeCheck implements HealthCheck {
  readonly name = 'validation';

  constructor(
    private readonly lastPassAt: () => number | undefined,
    private readonly maxAgeMs: number,
  ) {}

  async run(): Promise<HealthResult[]> {
    const at = this.lastPassAt();
    if (at === undefined) return [{ check: this.name, status: 'warn', message: 'no validation pass has completed yet' }];
    const ageMs = Date.now() - at;
    const details = { ageMs, maxAgeMs: this.maxAgeMs };
    if (ageMs > this.maxAgeMs) return [{ check: this.name, status: 'fail', message: `the last validation pass finished ${Math.round(ageMs / 1000)} s ago; the monitor may be stuck`, details }];
    return [{ check: this.name, status: 'ok', message: 'the files were validated recently', details }];
  }
}
