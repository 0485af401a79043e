import type { PluginDefinition, Plugin, ServiceToken } from '../contract.js';

/**
 * Defines a plugin and returns its factory: call it with the plugin's options in
 * `config.plugins`.
 *
 * ```ts
 * export default definePlugin({ name: 'audit', register(api, options: { path: string }) { api.addMiddleware(...) } });
 * ```
 */
export function definePlugin<Options = void, Service = void>(
  definition: PluginDefinition<Options, Service>,
): (options?: Options) => Plugin<Options, Service> {
  return (options?: Options) => ({
    name: definition.name,
    dependencies: definition.dependencies ?? [],
    ...(definition.provides === undefined ? {} : { provides: definition.provides }),
    options: options as Options,
    register: definition.register,
  });
}

/**
 * The typed token of a plugin's service, for its `provides` and for `engine.service(token)`.
 * The symbol is registered (`Symbol.for`), so a second copy of a plugin package loaded by the
 * same program still finds the service.
 *
 * ```ts
 * export const AUDIT: ServiceToken<AuditService> = serviceToken<AuditService>('audit');
 * ```
 */
export function serviceToken<T>(name: string): ServiceToken<T> {
  return Symbol.for(`prevention.service.${name}`) as ServiceToken<T>;
}
