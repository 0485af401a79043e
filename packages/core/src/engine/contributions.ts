import type { AlertSink, BackupStrategy, EngineApi, Middleware, MiddlewarePlacement } from '../contract.js';

/** Everything built-ins and plugins contributed to one engine. */
export class Contributions {
  /** Middleware by name, with the placement plugins asked for. */
  readonly middleware = new Map<string, { middleware: Middleware; placement: MiddlewarePlacement | undefined; builtIn: boolean }>();
  /** Backup strategies in registration order. */
  readonly strategies: BackupStrategy[] = [];
  /** Alert sinks in registration order. */
  readonly sinks: AlertSink[] = [];
  readonly readyHooks: Array<(engine: EngineApi) => void | Promise<void>> = [];
  readonly closeHooks: Array<() => void | Promise<void>> = [];
}
