import { serviceToken, type ServiceToken } from '@prevention/core';
import type { BackupService } from './backup-service.js';

/** The backup plugin's service: `engine.service(BACKUP_SERVICE)`. */
export const BACKUP_SERVICE: ServiceToken<BackupService> = serviceToken<BackupService>('backup');
