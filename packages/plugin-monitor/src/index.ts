/**
 * @prevention/plugin-monitor: watches prevention's files, detects outside changes and
 * corruption, repairs them from backups, runs health checks, and serves /livez, /readyz and
 * /metrics; `runMonitorDaemon` runs it as a foreground daemon.
 */
import monitor from './monitor-plugin.js';

export default monitor;
export { monitor };
export { MonitorService } from './monitor-service.js';
export { parsePort, type MonitorOptions } from './monitor-options.js';
export { MONITOR_SERVICE } from './monitor-token.js';
export type { CheckReport } from './integrity-checker.js';
export type { RepairAction } from './repairer.js';
export type { HealthResult } from './health/health-check.js';
export { DEFAULT_DAEMON_PORT, runMonitorDaemon, type MonitorDaemonOptions } from './daemon.js';
export { runMonitorCommandLine } from './daemon-cli.js';
