/**
 * @module routing/classify
 * Picks the route of an app and turns each of its instances into a {@link ScrapeTarget}: through
 * the gorouter with `X-CF-APP-INSTANCE` for an external route, or straight to
 * `<index>.<host>.<domain>:<port>` over the container network for an internal one, or to a fixed
 * `overrideRouteAndPath` (e.g. an auth proxy in front of the app) without any instance header.
 */
import type { DiscoveredApp, DiscoveredRoute } from '../discovery/types.ts'

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

/** Enrichment labels of an instance, as the original's V0 and `/metrics` write them. */
export interface InstanceLabels {
  org_name: string
  space_name: string
  app_name: string
  cf_instance_id: string
  cf_instance_number: string
  /** Name of the foundation; present only when more than one is configured. */
  foundation?: string
}

/** One instance, ready to scrape. */
export interface ScrapeTarget {
  /** `<appGuid>:<index>`, unique per instance. */
  id: string
  appGuid: string
  index: number
  orgName: string
  spaceName: string
  appName: string
  url: string
  headers: Record<string, string>
  internal: boolean
  /** The chosen route (host[/path]). */
  routeUrl: string
  path: string
  authenticatorId?: string
  /** Name of the foundation; present only when more than one is configured. */
  foundation?: string
  labels: InstanceLabels
}

export type ClassifyResult = { ok: true; targets: ScrapeTarget[] } | { ok: false; reason: string }

/** The first route whose URL fully matches a preferred regex (in list order), else the first route. */
export function chooseRoute(routes: DiscoveredRoute[], preferred: string[]): DiscoveredRoute | undefined {
  for (const source of preferred) {
    const regex = new RegExp(`^(?:${source})$`)
    const match = routes.find((r) => regex.test(r.url))
    if (match) return match
  }
  return routes[0]
}

/** All scrape targets of one app, or why there are none. */
export function classifyApp(app: DiscoveredApp, options: RoutingOptions): ClassifyResult {
  // The app's own annotations (`kubernetesAnnotations`) override the target's path and internal port.
  options = { ...options, path: app.metricsPath ?? options.path, internalRoutePort: app.internalPort ?? options.internalRoutePort }
  const foundation = app.foundation ? { foundation: app.foundation } : {}
  const override = options.overrideRouteAndPath?.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '')
  // With an override the route only names the instances; an app without any still gets targets.
  const route = override ? { url: override, host: '', path: '', domain: '', internal: false } : chooseRoute(app.routes, options.preferredRouteRegex)
  if (!route) return { ok: false, reason: 'app has no route' }
  const targets: ScrapeTarget[] = []
  for (let index = 0; index < app.instances; index++) {
    const id = `${app.appGuid}:${index}`
    const base = {
      id,
      appGuid: app.appGuid,
      index,
      orgName: app.orgName,
      spaceName: app.spaceName,
      appName: app.appName,
      routeUrl: route.url,
      path: options.path,
      authenticatorId: options.authenticatorId,
      ...foundation,
      labels: {
        org_name: app.orgName,
        space_name: app.spaceName,
        app_name: app.appName,
        cf_instance_id: id,
        cf_instance_number: String(index),
        ...foundation,
      },
    }
    if (override) {
      // As in the original: one fixed URL for every instance, and no X-CF-APP-INSTANCE (whatever
      // sits at the override decides where the request goes).
      targets.push({ ...base, internal: true, url: `${options.protocol}://${override}${options.path}`, headers: {} })
    } else if (route.internal) {
      const port = options.internalRoutePort ?? options.defaultInternalRoutePort
      const host = route.host ? `${route.host}.${route.domain}` : route.domain
      targets.push({ ...base, internal: true, url: `http://${index}.${host}:${port}${options.path}`, headers: {} })
    } else {
      const routeUrl = route.url.replace(/\/+$/, '')
      targets.push({
        ...base,
        internal: false,
        url: `${options.protocol}://${routeUrl}${options.path}`,
        headers: { 'X-CF-APP-INSTANCE': id },
      })
    }
  }
  return { ok: true, targets }
}
