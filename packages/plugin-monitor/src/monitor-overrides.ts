import type { InjectionToken } from 'tsyringe';
import type { MonitorOptions } from './monitor-options.js';

/**
 * Options that win over the monitor plugin's own, registered in the engine's container (through
 * `createEngine({ register })`). The daemon uses it to set the port and the run mode of a monitor
 * that the project's config already lists, without touching the config.
 */
export const MONITOR_OVERRIDES: InjectionToken<MonitorOptions> = Symbol('prevention.monitor.Overrides');
