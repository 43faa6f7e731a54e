/**
 * @module platform/cf/types
 * Cloud Foundry's own records between its resolver and its route choice: the selected apps with
 * their instance count and routes, already free of the Cloud Controller's response shapes.
 */

/** One route of an app, with what the routing stage needs to build a URL. */
export interface DiscoveredRoute {
  /** host.domain[/path], no scheme (the Cloud Controller's `url`). */
  url: string
  host: string
  path: string
  domain: string
  /** True for a domain of the container network (e.g. `apps.internal`). */
  internal: boolean
  /** Port the app listens on behind this route (the route destination's port; 8080 unless the app says otherwise). */
  port?: number
  /** Why the route cannot address one instance (a TCP route, a wildcard host); such a route is never chosen. */
  unusable?: string
}

/** One web process of an app. */
export interface WebProcess {
  guid: string
  instances: number
}

/** One selected app; every desired instance `0 … instances-1` becomes a scrape target. */
export interface DiscoveredApp {
  /** Index into `promregator.targets` of the target that selected the app. */
  targetIndex: number
  orgGuid: string
  orgName: string
  spaceGuid: string
  spaceName: string
  appGuid: string
  appName: string
  labels: Record<string, string>
  annotations: Record<string, string>
  /** Desired instance count of the web process (of the newest one during a deployment). */
  instances: number
  /**
   * Every web process, oldest first, when the app has more than one: a rolling or canary
   * deployment in progress, whose processes' instance indexes overlap.
   */
  deployment?: WebProcess[]
  routes: DiscoveredRoute[]
  /** Foundation the app lives on; set only when more than one foundation is configured. */
  foundation?: string
  /** Metrics path from the `prometheus.io/path` annotation (targets with `kubernetesAnnotations`). */
  metricsPath?: string
  /** Port for internal routes from the `prometheus.io/port` annotation (targets with `kubernetesAnnotations`). */
  internalPort?: number
}

/** Kinds of Cloud Controller resources that are cached and refreshed on their own schedule (`cf.cache.timeout.*`). */
export const RESOURCE_CLASSES = ['org', 'space', 'domain', 'application', 'route', 'process', 'resolver'] as const
export type ResourceClass = (typeof RESOURCE_CLASSES)[number]

/** Lists the apps one foundation's targets select. */
export interface AppDiscoverer {
  discover(): Promise<DiscoveredApp[]>
  /** Forgets cached resources of these classes (all when omitted) so the next run reads them again. */
  invalidate(classes?: readonly ResourceClass[]): void
}
