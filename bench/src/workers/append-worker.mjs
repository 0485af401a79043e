/**
 * One process of the multi-process workload. Opens the competitor on the shared file, says
 * `ready`, waits for `go` (so every process starts together), appends `count` events one after
 * the other, and reports each latency but the first: a process's first append also pays for
 * its cold start (lazy module loading, the first parse of the file, an unoptimized JIT), which
 * is not what the latency percentiles measure. It still counts in the throughput. An append that throws (a torn file read by an unsafe
 * competitor, say) is counted and the loop goes on, as a retrying caller would.
 */
import { competitorById } from '../competitors/index.mjs';
import { publishInput } from '../events.mjs';
import { elapsedMs } from '../stats.mjs';

const [id, file, countArg, source] = process.argv.slice(2);
const count = Number(countArg);
const store = await competitorById(id).open(file);

process.once('message', async () => {
  const latencies = [];
  const errors = [];
  let acknowledged = 0;
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    try {
      await store.append(publishInput(i, source));
      acknowledged += 1;
      if (i > 0) latencies.push(elapsedMs(t));
    } catch (err) {
      errors.push(String(err?.code ?? err?.message ?? err).slice(0, 120));
    }
  }
  await store.close();
  process.send({ latencies, acknowledged, errors }, () => process.disconnect());
});
process.send('ready');
