import { readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Temp files (`*.tmp`) and lock directories (`*.lock`) anywhere under `dir`, as paths relative
 * to it: what a failed or crashed commit must not leave behind once the next commit ran.
 */
export async function leftoversUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.name.endsWith('.tmp') || e.name.endsWith('.lock'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}
