import { serviceToken, type ServiceToken } from '@prevention/core';
import type { MonitorService } from './monitor-service.js';

/** The monitor plugin's service: `engine.service(MONITOR_SERVICE)`. */
export const MONITOR_SERVICE: ServiceToken<MonitorService> = serviceToken<MonitorService>('monitor');
