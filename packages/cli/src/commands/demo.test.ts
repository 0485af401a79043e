import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../__tests__/cli-harness.js';
import type { Verdict } from '../demo/verdict.js';

describe('prevention demo', () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await tempProject();
  });
  afterAll(() => project.remove());

  it('ends with 0 lost, 0 corrupt reads and every corruption repaired, through real agent, chaos and monitor processes', async () => {
    const result = await project.run(['demo', '--duration', '6', '--agents', '3', '--seed', '11', '--json']);
    const verdict = JSON.parse(result.stdout) as Verdict & { seed: number };
    expect(verdict).toMatchObject({ passed: true, lost: 0, duplicated: 0, corruptReads: 0, unrepaired: 0, seed: 11 });
    expect(verdict.acknowledged).toBeGreaterThan(20);
    expect(verdict.present).toBeGreaterThanOrEqual(verdict.acknowledged);
    expect(verdict.corruptions).toBeGreaterThan(0);
    expect(verdict.repaired).toBe(verdict.corruptions);
    expect(verdict.file.valid).toBe(true);
    expect(result.code).toBe(0);
    // Progress went to stderr, the verdict alone to stdout.
    expect(result.stderr).toContain('published');
  }, 120_000);

  it('--naive loses acknowledged events, says how many, and exits 1', async () => {
    const result = await project.run(['demo', '--naive', '--duration', '3', '--agents', '3', '--seed', '5']);
    expect(result.code).toBe(1);
    const lost = /lost\s+(\d+) acknowledged event/.exec(result.stdout);
    expect(lost, result.stdout).not.toBeNull();
    expect(Number(lost![1])).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/FAIL: \d+ of \d+ acknowledged events LOST/);
    const kept = /the demo directory was kept: (\S+)/.exec(result.stderr);
    if (kept) await rm(path.resolve(kept[1]!), { recursive: true, force: true });
  }, 120_000);
});
