import { Session } from 'node:inspector/promises';
import path from 'node:path';

/**
 * Runs `work` under V8's sampling profiler and returns the self time per function, largest
 * first. Native work such as JSON.stringify or hashing is charged to the JS function that
 * called it, which is what names the cost (serializeDocument = stringify, sha256Hex = hashing).
 */
export async function profileSelfTime(work) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  let profile;
  try {
    await work();
  } finally {
    ({ profile } = await session.post('Profiler.stop'));
    session.disconnect();
  }
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map();
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byNode.get(id).callFrame;
    const label = functionName ? `${functionName} (${url ? `${path.basename(url)}:${lineNumber + 1}` : 'native'})` : `(${url ? path.basename(url) : 'anonymous'})`;
    const name = functionName.startsWith('(') ? functionName : label;
    selfMs.set(name, (selfMs.get(name) ?? 0) + (deltas[i] ?? 0) / 1000);
  });
  const totalMs = [...selfMs.values()].reduce((a, b) => a + b, 0);
  return { totalMs, functions: [...selfMs.entries()].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms })) };
}
