/**
 * @prevention/client: the Node client of a running `prevention serve`. No engine, no config
 * loading, no dependency on @prevention/core at run time: reads, conditional writes,
 * optimistic updates and the message bus go over the project's socket, and the service's
 * engine locks, validates, backs up and group-commits them.
 */
export { connect, PreventionClient, type ConnectOptions, type UpdateOptions, type RemoteUpdater } from './client.js';
export { RemoteBus, type RemoteEventHandler, type RemoteSubscribeOptions, type PublishOptions } from './remote-bus.js';
export { PreventionClientError, isClientError, ClientCodes, type ClientErrorOptions } from './client-error.js';
export { findProjectRoot, socketPathOf } from './project-root.js';
export { findPreventionBinary, type PreventionBinary } from './auto-start.js';
export type { ServiceHealth } from './service-calls.js';
