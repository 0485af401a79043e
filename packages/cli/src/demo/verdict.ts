import path from 'node:path';
import { createEngine, NodeFileSystem, sharedContextSchema } from '@prevention/core';
import { checkFile } from '../checks/file-check.js';
import { demoPayloads } from './agent-store.js';
import { percentile99, type DemoStats } from './demo-stats.js';
import { DEMO_FILE, type DamageKind } from './messages.js';

/** The demo's outcome: what was acknowledged, what the file holds, and whether they agree. */
export interface Verdict {
  passed: boolean;
  mode: 'prevention' | 'naive';
  published: number;
  acknowledged: number;
  /** Demo events in the final file. */
  present: number;
  /** Acknowledged events missing from the file. */
  lost: number;
  /** Events present more than once. */
  duplicated: number;
  failedPublishes: number;
  /** The failed publishes by error code. */
  failuresByCode: Record<string, number>;
  corruptions: number;
  corruptionsByKind: Partial<Record<DamageKind, number>>;
  /** Damage after which the file read back valid again (repaired by the monitor or a writer). */
  repaired: number;
  unrepaired: number;
  /** Repairs the monitor daemon made (the rest were made by writers repairing on load). */
  monitorRepairs: number;
  p99RepairMs: number | null;
  agentsKilled: number;
  corruptReads: number;
  refusedReads: number;
  file: { path: string; valid: boolean; problems: string[] };
}

/**
 * Judges the run from the final file alone, read as any tool would: it must parse and pass the
 * shared context schema, and hold every acknowledged event exactly once.
 */
export async function judge(dir: string, stats: DemoStats, mode: Verdict['mode']): Promise<Verdict> {
  const file = path.join(dir, DEMO_FILE);
  const fs = new NodeFileSystem();
  // The verdict uses its own engine with only the schema, the same for both modes.
  const engine = await createEngine({ cwd: dir, config: { files: [{ path: DEMO_FILE, schema: sharedContextSchema }] }, logger: { level: 'silent' } });
  const report = await checkFile(engine, fs, file).finally(() => engine.close());
  const problems = report.findings.filter((f) => f.severity === 'error').map((f) => f.message);
  const valid = report.status !== 'problem' && report.status !== 'absent';
  const counts = new Map<string, number>();
  if (valid) {
    const context = JSON.parse((await fs.readFile(file)).toString('utf8')) as { events: Array<{ payload?: unknown }> };
    for (const { agent, n } of demoPayloads(context.events)) counts.set(`${agent}:${n}`, (counts.get(`${agent}:${n}`) ?? 0) + 1);
  }
  let lost = 0;
  for (const [agent, numbers] of stats.acked) for (const n of numbers) if (!counts.has(`${agent}:${n}`)) lost += 1;
  const duplicated = [...counts.values()].filter((count) => count > 1).length;
  const p99 = percentile99(stats.recoveryMs);
  const verdict: Verdict = {
    passed: false,
    mode,
    published: stats.published,
    acknowledged: stats.acknowledged,
    present: [...counts.values()].reduce((a, b) => a + b, 0),
    lost,
    duplicated,
    failedPublishes: stats.failedPublishes,
    failuresByCode: Object.fromEntries(stats.failures),
    corruptions: stats.corruptions,
    corruptionsByKind: Object.fromEntries(stats.damage),
    repaired: stats.recovered,
    unrepaired: stats.unrecovered,
    monitorRepairs: stats.monitorRepairs,
    p99RepairMs: p99 === undefined ? null : Math.round(p99),
    agentsKilled: stats.killed,
    corruptReads: stats.corruptReads,
    refusedReads: stats.refusedReads,
    file: { path: file, valid, problems },
  };
  verdict.passed = valid && lost === 0 && duplicated === 0 && stats.corruptReads === 0 && stats.unrecovered === 0;
  return verdict;
}
