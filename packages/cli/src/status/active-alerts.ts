import type { Alert, EngineApi, FileSystem } from '@prevention/core';
import { FileAlertSink } from '@prevention/plugin-alerts';

/**
 * The alerts firing now, as recorded by the engine's file sinks: each sink's JSON Lines file is
 * read and every alert's latest line kept, by fingerprint. It sees what every process (the
 * monitor daemon above all) has raised, not only this one, and counts what the alert router's
 * state counts: notices of every severity, `info` ones (a file was restored) included. One that
 * resolves by itself is firing until its `endsAt`, even when no process was left to write its
 * resolution.
 */
export async function activeAlerts(engine: EngineApi, fs: FileSystem): Promise<Alert[]> {
  const latest = new Map<string, Alert>();
  for (const sink of engine.alertSinks()) {
    if (!(sink instanceof FileAlertSink)) continue;
    const text = await fs.readFile(sink.file).then(
      (bytes) => bytes.toString('utf8'),
      () => '',
    );
    for (const line of text.split('\n')) {
      try {
        const alert = JSON.parse(line) as Alert;
        if (typeof alert.fingerprint === 'string') latest.set(alert.fingerprint, alert);
      } catch {
        // A torn last line (a crash mid-append) or a blank line: skip it.
      }
    }
  }
  const now = Date.now();
  return [...latest.values()].filter((alert) => alert.status === 'firing' && !(alert.endsAt && Date.parse(alert.endsAt) <= now));
}
