/**
 * @module simulator/routing-table
 * What the gorouter and the container network know: which running instances sit behind an
 * external route (host + longest path prefix) and which answer an internal hostname
 * (`<index>.<host>.<internal domain>` or `<host>.<internal domain>`). Only STARTED apps' RUNNING
 * instances are registered, as Diego's route-emitter would do.
 */
import type { AppRecord, LandscapeState, RouteRecord } from './state.ts'

/** One routable instance. */
export interface Endpoint {
  /** The app's record, or its deployment's (same app GUID, its own process GUID). */
  app: AppRecord
  index: number
}

/** The gorouter's validation regex for X-CF-APP-INSTANCE (reference section 4). */
export const APP_INSTANCE_HEADER_PATTERN = /^([\da-f]{8}-([\da-f]{4}-){3}[\da-f]{12}):(\d+)$/

/** `X-CF-PROCESS-INSTANCE: <process GUID>[:<index>]` (routing-release 0.332.0 and later). */
export const PROCESS_INSTANCE_HEADER_PATTERN = /^([\da-f]{8}-([\da-f]{4}-){3}[\da-f]{12})(?::(\d+))?$/

/** Running endpoints of the apps mapped to a route. */
export function endpointsOf(state: LandscapeState, route: RouteRecord): Endpoint[] {
  const endpoints: Endpoint[] = []
  for (const destination of route.destinations) {
    const app = state.apps.get(destination.appGuid)
    if (!app || app.state !== 'STARTED') continue
    // The router's table holds the deployment's (newer) endpoints after the first process's.
    for (const process of app.deployment ? [app, app.deployment] : [app]) {
      for (let index = 0; index < process.instances; index++) {
        if (state.instanceState(process, index) === 'RUNNING') endpoints.push({ app: process, index })
      }
    }
  }
  return endpoints
}

/**
 * The external route serving `host` + `path`: longest matching route path, counting only routes
 * that have running endpoints (gorouter prunes routes whose endpoints are all gone).
 */
export function lookupExternal(state: LandscapeState, host: string, path: string): { route: RouteRecord; endpoints: Endpoint[] } | undefined {
  const pathOnly = path.split('?', 1)[0] ?? '/'
  let best: { route: RouteRecord; endpoints: Endpoint[] } | undefined
  for (const route of state.routesForFqdn(host)) {
    if (state.domainOf(route).internal) continue
    const matches = route.path === '' || pathOnly === route.path || pathOnly.startsWith(`${route.path}/`)
    if (!matches || (best && best.route.path.length >= route.path.length)) continue
    const endpoints = endpointsOf(state, route)
    if (endpoints.length > 0) best = { route, endpoints }
  }
  return best
}

/** Whether `host` belongs to one of the landscape's internal domains. */
export function isInternalHost(state: LandscapeState, host: string): boolean {
  for (const domain of state.domains.values()) {
    if (domain.internal && host.endsWith(`.${domain.name}`)) return true
  }
  return false
}

/**
 * Instances an internal hostname resolves to on `port`: `<index>.<host>.<domain>` gives that index
 * of every app mapped to the route, `<host>.<domain>` all of them (DNS would shuffle them).
 */
export function lookupInternal(state: LandscapeState, hostname: string, port: number): Endpoint[] {
  const byName = (fqdn: string) =>
    state.routesForFqdn(fqdn).filter((r) => state.domainOf(r).internal).flatMap((r) => endpointsOf(state, r))
  const firstDot = hostname.indexOf('.')
  const firstLabel = hostname.slice(0, firstDot)
  let endpoints = byName(hostname)
  if (endpoints.length === 0 && /^\d+$/.test(firstLabel)) {
    const index = Number(firstLabel)
    endpoints = byName(hostname.slice(firstDot + 1)).filter((e) => e.index === index)
  }
  return endpoints.filter((e) => e.app.internalPort === port)
}
