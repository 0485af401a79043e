import type { EngineEventMap } from '@prevention/core';

/** One health check result, as carried by the engine's `health` event. */
export type HealthResult = EngineEventMap['health'];

/** A health check: returns one result per thing it looked at (a file, a directory, a sink). */
export interface HealthCheck {
  readonly name: string;
  run(files: readonly string[]): Promise<HealthResult[]>;
}
