import { ErrorCodes, PreventionError, type Alert } from '@prevention/core';
import { parseDuration, type Duration } from '@prevention/core';
import { matches, type Matcher } from '../matcher.js';

/** Timing of notifications for the groups of a route (Alertmanager's meaning). */
export interface GroupTiming {
  /** How long a new group waits for more alerts before its first notification. Default 30 s. */
  groupWait?: Duration;
  /** How long a group waits before notifying about alerts added after its first notification. Default 5 min. */
  groupInterval?: Duration;
  /** How long before a still-firing, unchanged notification is sent again. Default 4 h. */
  repeatInterval?: Duration;
}

/** Sends the alerts it matches to some sinks, grouped by some labels. */
export interface Route extends GroupTiming {
  /** Which alerts take this route; default all. */
  match?: Matcher;
  /** Names of the sinks to notify; default every sink. */
  sinks?: string[];
  /** Alerts with the same values of these labels (`name` is the alert name) go in one notification. Default `['name', 'file']`. */
  groupBy?: string[];
  /** Keep looking for further matching routes after this one. */
  continue?: boolean;
}

/** A route with its defaults applied and durations in milliseconds. */
export interface ResolvedRoute {
  id: string;
  match: Matcher;
  sinks: string[];
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  continue: boolean;
}

/** Defaults for timing and grouping. */
export const ROUTE_DEFAULTS = { groupWait: 30_000, groupInterval: 300_000, repeatInterval: 4 * 3_600_000, groupBy: ['name', 'file'] } as const;

/** Applies defaults (`base` for timing and grouping, every sink) to a route. */
export function resolveRoute(route: Route, index: number, base: GroupTiming & { groupBy?: string[] }, allSinks: readonly string[]): ResolvedRoute {
  const timing = (key: keyof GroupTiming): number => parseDuration(route[key] ?? base[key] ?? ROUTE_DEFAULTS[key], `routes[${index}].${key}`);
  return {
    id: `route${index}`,
    match: route.match ?? {},
    sinks: route.sinks ?? [...allSinks],
    groupBy: route.groupBy ?? base.groupBy ?? [...ROUTE_DEFAULTS.groupBy],
    groupWaitMs: timing('groupWait'),
    groupIntervalMs: timing('groupInterval'),
    repeatIntervalMs: timing('repeatInterval'),
    continue: route.continue ?? false,
  };
}

/** The routes an alert takes: the first that matches, and the following ones while `continue` is set. */
export function routesFor(alert: Alert, routes: readonly ResolvedRoute[]): ResolvedRoute[] {
  const taken: ResolvedRoute[] = [];
  for (const route of routes) {
    if (!matches(route.match, alert)) continue;
    taken.push(route);
    if (!route.continue) break;
  }
  return taken;
}

/** The values of the route's grouping labels for `alert`. */
export function groupLabelsOf(route: ResolvedRoute, alert: Alert): Record<string, string> {
  return Object.fromEntries(route.groupBy.map((label) => [label, label === 'name' ? alert.name : (alert.labels[label] ?? '')]));
}

/** The configured routes with their defaults applied, and the default route for alerts none of them takes. */
export class RouteTable {
  private readonly routes: ResolvedRoute[];
  private readonly fallback: ResolvedRoute;

  /** Refuses a route that names a sink not in `sinks`. */
  constructor(routes: readonly Route[], base: GroupTiming & { groupBy?: string[] }, sinks: readonly string[]) {
    this.routes = routes.map((route, index) => resolveRoute(route, index, base, sinks));
    for (const route of this.routes) {
      const unknown = route.sinks.find((name) => !sinks.includes(name));
      if (unknown) throw new PreventionError(ErrorCodes.CONFIG_INVALID, `alerts: ${route.id} sends to sink "${unknown}", which is not configured (sinks: ${sinks.join(', ')})`);
    }
    this.fallback = { ...resolveRoute({}, this.routes.length, base, sinks), id: 'default' };
  }

  /** The routes an alert takes (see {@link routesFor}); the default route when it takes none. */
  routesOf(alert: Alert): ResolvedRoute[] {
    const taken = routesFor(alert, this.routes);
    return taken.length > 0 ? taken : [this.fallback];
  }
}
