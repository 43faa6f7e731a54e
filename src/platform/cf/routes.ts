/**
 * @module platform/cf/routes
 * Picks the route of an app and turns each of its instances into a {@link ScrapeTarget}: through
 * the gorouter with `X-CF-APP-INSTANCE` for an external route, or straight to
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
}

export type ClassifyResult = { ok: true; targets: ScrapeTarget[] } | { ok: false; reason: string }

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
  const destination = (id: string, index: number): Destination => {
    // As in the original: one fixed URL for every instance, and no X-CF-APP-INSTANCE (whatever
    // sits at the override decides where the request goes).
    if (override) return { url: `${options.protocol}://${override}${path}`, headers: {}, internal: true }
    if (route.internal) {
      const host = route.host ? `${route.host}.${route.domain}` : route.domain
      return { url: `http://${index}.${host}:${port}${path}`, headers: {}, internal: true }
    }
    return { url: `${options.protocol}://${route.url.replace(/\/+$/, '')}${path}`, headers: { 'X-CF-APP-INSTANCE': id }, internal: false }
  }
  const foundation: Record<string, string> = app.foundation === undefined ? {} : { foundation: app.foundation }
  const targets: ScrapeTarget[] = []
  for (let index = 0; index < app.instances; index++) {
    const id = `${app.appGuid}:${index}`
    const { url, headers, internal } = destination(id, index)
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
        instance: String(index),
        route: route.url,
        network: internal ? 'internal' : 'external',
      },
    })
  }
  return { ok: true, targets }
}
