import { competitorById } from './competitors/index.mjs';
import { runProcesses } from './workloads/multi-process.mjs';
for (const id of (process.env.IDS ?? 'prevention-update').split(',')) {
  for (const n of (process.env.NS ?? '4,8').split(',').map(Number)) {
    const r = await runProcesses(competitorById(id), n, Number(process.env.COUNT ?? 25));
    console.log(`${id} ${n}p: ${r.perSecond.toFixed(1)}/s p50 ${r.p50?.toFixed?.(2)} p99 ${r.p99?.toFixed?.(2)} lost ${r.lost} failed ${r.failed}`);
  }
}
