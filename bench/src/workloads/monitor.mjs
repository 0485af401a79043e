import { readFile } from 'node:fs/promises';

/**
 * Workload 4 (monitor: repair latency, idle CPU and RSS) has its own benchmark, which writes
 * bench/monitor-idle.md or bench/monitor-idle.json. This only picks up its latest result.
 */
export async function monitorResult() {
  for (const name of ['monitor-idle.md', 'monitor-idle.json']) {
    try {
      const text = await readFile(new URL(`../../${name}`, import.meta.url), 'utf8');
      return { file: `bench/${name}`, text };
    } catch {
      // Not written yet: try the next form.
    }
  }
  return undefined;
}
