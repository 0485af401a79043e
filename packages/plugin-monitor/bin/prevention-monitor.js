#!/usr/bin/env node
// The integrity monitor daemon: `prevention-monitor [--once] [--port N] [--host H] [--config FILE] [--cwd DIR]`.
import { parseArgs } from 'node:util';
import { runMonitorDaemon } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    once: { type: 'boolean', default: false },
    port: { type: 'string' },
    host: { type: 'string' },
    config: { type: 'string' },
    cwd: { type: 'string' },
  },
});

try {
  const code = await runMonitorDaemon({
    once: values.once,
    port: values.port === undefined ? undefined : Number(values.port),
    host: values.host,
    configFile: values.config,
    cwd: values.cwd,
  });
  process.exit(code);
} catch (err) {
  process.stderr.write(`prevention-monitor: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
