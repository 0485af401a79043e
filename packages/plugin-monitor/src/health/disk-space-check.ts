import path from 'node:path';
import type { FileSystem } from '@prevention/core';
import type { ResolvedMonitorOptions } from '../monitor-options.js';
import type { HealthCheck, HealthResult } from './health-check.js';

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** `disk-space`: the file system of each monitored directory has more free space than the threshold. */
export class DiskSpaceCheck implements HealthCheck {
  readonly name = 'disk-space';

  constructor(
    private readonly fs: FileSystem,
    private readonly minFree: ResolvedMonitorOptions['minFreeDisk'],
  ) {}

  async run(files: readonly string[]): Promise<HealthResult[]> {
    const dirs = [...new Set(files.map((file) => path.dirname(file)))];
    return Promise.all(dirs.map((dir) => this.check(dir)));
  }

  private async check(dir: string): Promise<HealthResult> {
    const labels = { check: this.name, details: { dir } };
    let space;
    try {
      space = await this.fs.space(dir);
    } catch (err) {
      return { ...labels, status: 'fail', message: `free space of ${dir} can not be read: ${(err as Error).message}` };
    }
    const needed = 'bytes' in this.minFree ? this.minFree.bytes : this.minFree.ratio * space.totalBytes;
    const details = { dir, freeBytes: space.freeBytes, totalBytes: space.totalBytes, minFreeBytes: Math.round(needed) };
    if (space.freeBytes < needed) {
      return { check: this.name, status: 'fail', message: `only ${mib(space.freeBytes)} free on the disk of ${dir} (threshold ${mib(needed)}); commits and backups will start failing`, details };
    }
    return { check: this.name, status: 'ok', message: `${mib(space.freeBytes)} free on the disk of ${dir}`, details };
  }
}
