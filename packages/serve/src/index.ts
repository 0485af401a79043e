/**
 * @prevention/serve: the local service. One process per project holds the engine (its config,
 * plugins and monitor) and answers HTTP/1.1 + JSON on the project's Unix socket, so processes
 * in any language share its pipeline and group commit. The protocol is in docs/serve.md.
 */
export { startServe, DEFAULT_MAX_BODY_BYTES, DEFAULT_HEARTBEAT_MS, DEFAULT_DRAIN_TIMEOUT_MS, type ServeOptions, type RunningServe } from './start-serve.js';
export { runServe, type RunServeOptions } from './run-serve.js';
export { instancePaths, probeSocket, type InstancePaths } from './instance-lock.js';
export type { ErrorBody } from './request-error.js';
export { IDEMPOTENCY_TTL_MS, IDEMPOTENCY_MAX_KEYS } from './idempotency-keys.js';
