/**
 * @module platform/cf/routes
 * Picks the route of an app and turns each of its instances into a {@link ScrapeTarget}: through
 * the gorouter with `X-CF-APP-INSTANCE` for an external route (during a deployment, with
 * `X-CF-PROCESS-INSTANCE` per instance of each web process, or not at all), or straight to
 * `<index>.<host>.<domain>:<port>` over the container network for an internal one, or to a fixed
 * `overrideRouteAndPath` (e.g. an auth proxy in front of the app) without any instance header.
 * The targets carry the labels of the original: `org_name`, `space_name`, `app_name`,
 * `cf_instance_id`, `cf_instance_number` on samples, `__meta_promregator_target_*` in `/discovery`.
 */
import type { ScrapeTarget } from '../../model/target.ts'
import type { DiscoveredApp, DiscoveredRoute } from './types.ts'

/** What routing needs to know of the target that selected an app. */
export interface RoutingOptions {
  path: string
  protocol: 'http' | 'https'
  preferredRouteRegex: string[]
  internalRoutePort?: number
  defaultInternalRoutePort: number
  /** Name of the authenticator (`targetAuthenticators[].id`), or undefined for the global one. */
  authenticatorId?: string
  /** `host[:port][/path]` scraped as `<protocol>://<override><path>` for every instance, instead of the app's route. */
  overrideRouteAndPath?: string
  /** The router addresses one process's instances with `X-CF-PROCESS-INSTANCE` (apps in a deployment are scraped process by process). */
  processInstanceHeader?: boolean
}

/** Why an app yields no targets; `deployment`: because a deployment is in progress (its routes are fine). */
export type ClassifyResult = { ok: true; targets: ScrapeTarget[] } | { ok: false; reason: string; deployment?: boolean }

/** Addresses one instance of an app through the gorouter: `<app GUID>:<index>`. */
export const APP_INSTANCE_HEADER = 'X-CF-APP-INSTANCE'
/** Addresses one instance of one process through the gorouter (routing-release 0.332.0 and later): `<process GUID>:<index>`. */
export const PROCESS_INSTANCE_HEADER = 'X-CF-PROCESS-INSTANCE'

/**
 * The first usable route whose URL fully matches a preferred regex (in list order), else the first
 * usable route. Routes that cannot address one instance (TCP, wildcard) are never chosen.
 */
export function chooseRoute(all: DiscoveredRoute[], preferred: string[]): DiscoveredRoute | undefined {
  const routes = all.filter((r) => r.unusable === undefined)
  for (const source of preferred) {
    const regex = new RegExp(`^(?:${source})$`)
    const match = routes.find((r) => regex.test(r.url))
    if (match) return match
  }
  return routes[0]
}

/** Why an app gets no targets: no route, or none that can address one instance. */
function noRouteReason(routes: DiscoveredRoute[]): string {
  const unusable = routes.map((r) => r.unusable).filter((why) => why !== undefined)
  return unusable.length === 0 ? 'app has no route' : `no route can address one instance (${unusable.join(', ')})`
}

/** Where one instance is scraped: URL, headers, and whether it goes over the container network. */
interface Destination {
  url: string
  headers: Record<string, string>
  internal: boolean
}

/** All scrape targets of one app, or why there are none. */
export function classifyApp(app: DiscoveredApp, options: RoutingOptions): ClassifyResult {
  // The app's own annotations (`kubernetesAnnotations`) override the target's path and internal port.
  const path = app.metricsPath ?? options.path
  const override = options.overrideRouteAndPath?.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '')
  // With an override the route only names the instances; an app without any still gets targets.
  const route: DiscoveredRoute | undefined = override ? { url: override, host: '', path: '', domain: '', internal: false } : chooseRoute(app.routes, options.preferredRouteRegex)
  if (!route) return { ok: false, reason: noRouteReason(app.routes) }
  // Internal routes reach the app's own port: its annotation, the target's setting, the route
  // destination's port (what the app listens on, 8080 unless it says otherwise), the default.
  const port = app.internalPort ?? options.internalRoutePort ?? route.port ?? options.defaultInternalRoutePort
  const destination = (id: string, index: number, header: string): Destination => {
    // As in the original: one fixed URL for every instance, and no X-CF-APP-INSTANCE (whatever
    // sits at the override decides where the request goes).
    if (override) return { url: `${options.protocol}://${override}${path}`, headers: {}, internal: true }
    if (route.internal) {
      const host = route.host ? `${route.host}.${route.domain}` : route.domain
      return { url: `http://${index}.${host}:${port}${path}`, headers: {}, internal: true }
    }
    return { url: `${options.protocol}://${route.url.replace(/\/+$/, '')}${path}`, headers: { [header]: id }, internal: false }
  }
  // Instances as the router addresses them: `<app GUID>:<index>`, or during a deployment (several
  // web processes with overlapping indexes) `<process GUID>:<index>` of each process.
  let instances: Array<{ id: string; index: number; header: string }>
  if (app.deployment && !override) {
    const unaddressable = route.internal
      ? 'on an internal route an index names an instance of every web process'
      : options.processInstanceHeader
        ? undefined
        : "the router does not address one process's instances (X-CF-PROCESS-INSTANCE; see cf.processInstanceHeader)"
    if (unaddressable) {
      const counts = app.deployment.map((p) => p.instances).join(' + ')
      return { ok: false, reason: `deployment in progress: ${app.deployment.length} web processes (${counts} instances) share instance indexes, and ${unaddressable}; not scraped until it ends, so that no series mixes instances`, deployment: true }
    }
    instances = app.deployment.flatMap((p) => Array.from({ length: p.instances }, (_, index) => ({ id: `${p.guid}:${index}`, index, header: PROCESS_INSTANCE_HEADER })))
  } else {
    instances = Array.from({ length: app.instances }, (_, index) => ({ id: `${app.appGuid}:${index}`, index, header: APP_INSTANCE_HEADER }))
  }
  const foundation: Record<string, string> = app.foundation === undefined ? {} : { foundation: app.foundation }
  const targets: ScrapeTarget[] = []
  for (const { id, index, header } of instances) {
    const { url, headers, internal } = destination(id, index, header)
    targets.push({
      id,
      url,
      headers,
      ...(route.internal && !override ? { privateNetwork: true } : {}),
      authenticatorId: options.authenticatorId,
      labels: {
        org_name: app.orgName,
        space_name: app.spaceName,
        app_name: app.appName,
        cf_instance_id: id,
        cf_instance_number: String(index),
        ...foundation,
      },
      discoveryLabels: {
        __meta_promregator_target_orgName: app.orgName,
        __meta_promregator_target_spaceName: app.spaceName,
        __meta_promregator_target_applicationName: app.appName,
        __meta_promregator_target_applicationId: app.appGuid,
        __meta_promregator_target_instanceNumber: String(index),
        __meta_promregator_target_instanceId: id,
        ...(app.foundation === undefined ? {} : { __meta_promregator_target_foundation: app.foundation }),
      },
      display: {
        platform: app.foundation ?? '',
        owner: app.orgName,
        space: app.spaceName,
        app: app.appName,
        instance: header === PROCESS_INSTANCE_HEADER ? `${index} (process ${id.slice(0, id.indexOf(':'))})` : String(index),
        route: route.url,
        network: internal ? 'internal' : 'external',
      },
    })
  }
  return { ok: true, targets }
}
