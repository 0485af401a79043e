import { serviceToken, type ServiceToken } from '@prevention/core';
import type { AlertsService } from './alerts-plugin.js';

/** The alerts plugin's service: `engine.service(ALERTS_SERVICE)`. */
export const ALERTS_SERVICE: ServiceToken<AlertsService> = serviceToken<AlertsService>('alerts');
