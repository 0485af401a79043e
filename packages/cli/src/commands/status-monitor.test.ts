import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_CONFIG, tempProject, type TempProject } from '../__tests__/cli-harness.js';
import { waitFor } from '@prevention/core/testing';

/** A TCP port free right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `check` holds, looking again every 50 ms for at most `timeoutMs`. */
const readText = (file: string): Promise<string> => readFile(file, 'utf8').catch(() => '');

/** The monitor's config with the alerts plugin writing to logs/alerts.jsonl, notifying within 100 ms of a change. */
function configWithAlerts(port: number): string {
  return configWithMonitor(port)
    .replace("import monitor from '@prevention/plugin-monitor';", "import monitor from '@prevention/plugin-monitor';\nimport alerts, { fileSink } from '@prevention/plugin-alerts';")
    .replace('plugins: [monitor(', "plugins: [alerts({ sinks: [fileSink({ path: 'logs/alerts.jsonl' })], groupWait: '100ms', groupInterval: '100ms' }), monitor(");
}

function configWithMonitor(port: number): string {
  return BACKUP_CONFIG.replace("import backup from '@prevention/plugin-backup';", "import backup from '@prevention/plugin-backup';\nimport monitor from '@prevention/plugin-monitor';").replace(
    "plugins: [backup(",
    `plugins: [monitor({ port: ${port}, validateEvery: '200ms' }), backup(`,
  );
}

describe('prevention monitor and status', () => {
  let project: TempProject;
  let port: number;
  beforeEach(async () => {
    project = await tempProject();
    port = await freePort();
    await project.write('prevention.config.mjs', configWithMonitor(port));
    expect((await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'test'])).code).toBe(0);
  });
  afterEach(() => project.remove());

  it('monitor --once exits 0 on intact files, and 1 after repairing a damaged one', async () => {
    const good = await readFile(project.file('shared_context.json'));
    expect((await project.run(['monitor', '--once'])).code).toBe(0);
    await writeFile(project.file('shared_context.json'), 'garbage');
    const repaired = await project.run(['monitor', '--once']);
    expect(repaired.code).toBe(1);
    // Where the parse failed, in the log line's details as in its message.
    expect(repaired.stdout).toMatch(/"details":\{"reason":"invalid-json","offset":0,"line":1,"column":1,"syntax":"expected a value[^"]*","bytes":7\}/);
    expect(await readFile(project.file('shared_context.json'))).toEqual(good);
  });

  it('status shows health, commit, backup and the monitor unreachable, and exits 1 on a damaged file', async () => {
    const healthy = await project.run(['status']);
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toMatch(/shared_context\.json\s+ok\s+\d+s ago\s+\d+s ago \(rotating\)/);
    expect(healthy.stdout).toMatch(/alerts\s+none firing/);
    expect(healthy.stdout).toMatch(new RegExp(`monitor\\s+not reachable at http://127.0.0.1:${port}/readyz`));

    await writeFile(project.file('shared_context.json'), '{"events": [');
    const damaged = await project.run(['status', '--json']);
    expect(damaged.code).toBe(1);
    const status = JSON.parse(damaged.stdout) as { ok: boolean; files: Array<{ status: string }>; monitor: { state: string } };
    expect(status).toMatchObject({ ok: false, files: [{ status: 'problem' }], monitor: { state: 'unreachable' } });
    // status only looks: the damaged file is still damaged.
    expect(await readFile(project.file('shared_context.json'), 'utf8')).toBe('{"events": [');
  });

  it('the monitor daemon repairs outside damage, status sees it ready, and SIGTERM stops it with exit 0', async () => {
    const good = await readFile(project.file('shared_context.json'));
    const daemon = project.start(['monitor']);
    await daemon.waitFor('"serving /livez, /readyz and /metrics"');
    await writeFile(project.file('shared_context.json'), JSON.stringify({ events: 'overwritten' }));
    await daemon.waitFor('"msg":"repaired"');
    expect(await readFile(project.file('shared_context.json'))).toEqual(good);
    const status = await project.run(['status']);
    expect(status.stdout).toMatch(/monitor\s+running, ready/);
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  });

  it('status counts the alerts firing as the alert state does, notices of a repair included, until they end', async () => {
    await project.write('prevention.config.mjs', configWithAlerts(port));
    const daemon = project.start(['monitor']);
    await daemon.waitFor('"serving /livez, /readyz and /metrics"');
    await writeFile(project.file('shared_context.json'), 'garbage');
    await daemon.waitFor('"msg":"repaired"');
    // The sink's lines and the router's state (replaced atomically) are written one after the
    // other, and the corruption may or may not have been notified before the repair resolved it:
    // wait until both agree that the repair's notice is what fires.
    interface Line {
      name: string;
      status: string;
      fingerprint: string;
      endsAt?: string;
    }
    const sinkFiring = async (): Promise<Map<string, Line>> => {
      const latest = new Map<string, Line>();
      for (const line of (await readText(project.file('logs/alerts.jsonl'))).split('\n').filter(Boolean)) {
        const alert = JSON.parse(line) as Line;
        latest.set(alert.fingerprint, alert);
      }
      return new Map([...latest].filter(([, alert]) => alert.status === 'firing'));
    };
    const stateFiring = async (): Promise<string[]> => {
      const text = await readText(project.file('.prevention/alerts-state.json'));
      return text ? (JSON.parse(text) as { notifications: Array<{ firing: string[] }> }).notifications.flatMap((n) => n.firing).sort() : [];
    };
    await waitFor(async () => {
      const sink = await sinkFiring();
      const names = [...sink.values()].map((alert) => alert.name);
      return names.length === 1 && names[0] === 'file-restored' && JSON.stringify(await stateFiring()) === JSON.stringify([...sink.keys()]);
    }, 'the file-restored notice firing, alone, in the sink and in the alert state');
    const firing = await stateFiring();

    const status = await project.run(['status']);
    expect(status.stdout).toMatch(/alerts\s+1 firing\n {2}info file-restored: .*shared_context\.json was restored from backup/);
    const json = JSON.parse((await project.run(['status', '--json'])).stdout) as { alerts: Array<{ fingerprint: string }> };
    expect(json.alerts.map((a) => a.fingerprint)).toEqual(firing);
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);

    // A notice that resolves by itself carries the time it ends, so status stops counting it
    // then, even when no process is left to write its resolution.
    const [alert] = [...(await sinkFiring()).values()];
    expect(alert!.endsAt).toBeDefined();
    await writeFile(project.file('logs/alerts.jsonl'), `${JSON.stringify({ ...alert, endsAt: new Date(Date.now() - 1000).toISOString() })}\n`);
    expect((await project.run(['status'])).stdout).toMatch(/alerts\s+none firing/);
  });
});
