import type { AlertSink } from '../alerts/alert-sink.js';
import type { BackupStrategy } from '../backup/backup-strategy.js';
import type { Middleware } from '../pipeline/middleware.js';
import type { Engine } from './engine.js';
import type { MiddlewarePlacement } from '../plugin/plugin.js';

/** Everything built-ins and plugins contributed to one engine. */
export class Contributions {
  /** Middleware by name, with the placement plugins asked for. */
  readonly middleware = new Map<string, { middleware: Middleware; placement: MiddlewarePlacement | undefined; builtIn: boolean }>();
  /** Backup strategies in registration order. */
  readonly strategies: BackupStrategy[] = [];
  /** Alert sinks in registration order. */
  readonly sinks: AlertSink[] = [];
  /** What each plugin's `register` returned. */
  readonly services = new Map<string, unknown>();
  readonly readyHooks: Array<(engine: Engine) => void | Promise<void>> = [];
  readonly closeHooks: Array<() => void | Promise<void>> = [];
}
