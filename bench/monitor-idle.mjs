// Idle cost of the monitor daemon watching 100 files: starts the real daemon (bin script) on a
// project of 100 committed files, lets it settle, then samples its CPU time and RSS from /proc
// over a quiet window. Usage: node bench/monitor-idle.mjs [seconds=30]
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const FILES = 100;
const seconds = Number(process.argv[2] ?? 30);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pkg = (name) => pathToFileURL(path.join(root, 'packages', name, 'dist/index.js')).href;

const dir = await mkdtemp(path.join(tmpdir(), 'prevention-monitor-idle-'));
const names = Array.from({ length: FILES }, (_, i) => `file-${String(i).padStart(3, '0')}.json`);
await writeFile(
  path.join(dir, 'prevention.config.mjs'),
  `import backup from ${JSON.stringify(pkg('plugin-backup'))};\n` +
    `export default { files: ${JSON.stringify(names.map((p) => ({ path: p, initial: { events: [] } })))}, plugins: [backup({ strategies: [{ type: 'rotating', keep: 3 }] })] };\n`,
);
const { createEngine } = await import(pkg('core'));
const seeder = await createEngine({ cwd: dir, logger: { level: 'silent' } });
for (const name of names) await seeder.update(name, (doc) => void doc.events.push({ id: name, payload: 'x'.repeat(2_000) }));
await seeder.close();

const daemon = spawn(process.execPath, [path.join(root, 'packages/plugin-monitor/bin/prevention-monitor.js'), '--cwd', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const lines = [];
await new Promise((resolve) =>
  createInterface({ input: daemon.stdout }).on('line', (line) => {
    lines.push(line);
    if (line.includes('serving /livez')) resolve();
  }),
);
// utime and stime in /proc/<pid>/stat count USER_HZ ticks, 100 per second on Linux.
const ticks = 100;
const sample = async () => {
  const stat = (await readFile(`/proc/${daemon.pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  const status = await readFile(`/proc/${daemon.pid}/status`, 'utf8');
  return { cpuMs: ((Number(stat[11]) + Number(stat[12])) * 1000) / ticks, rssKiB: Number(/VmRSS:\s+(\d+)/.exec(status)[1]) };
};
await new Promise((resolve) => setTimeout(resolve, 3_000));
const startLines = lines.length;
const before = await sample();
const startedAt = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
const after = await sample();
const wallMs = performance.now() - startedAt;
const idleLines = lines.slice(startLines);
daemon.kill('SIGTERM');
await new Promise((resolve) => daemon.once('exit', resolve));
await rm(dir, { recursive: true, force: true });

console.log(
  `monitor daemon, ${FILES} files, idle ${seconds} s (validateEvery 5s, healthEvery 1m): ` +
    `CPU ${((100 * (after.cpuMs - before.cpuMs)) / wallMs).toFixed(2)} % of one core, RSS ${(after.rssKiB / 1024).toFixed(1)} MiB, ` +
    `${idleLines.length} log lines while idle`,
);
for (const line of idleLines) console.log(`  ${line}`);
