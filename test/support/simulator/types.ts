/**
 * @module simulator/types
 * Public input types of the Cloud Foundry simulator: the landscape a test describes and the
 * options that shape the simulated Cloud Controller, UAA and gorouter.
 */

/** Actual state of one app instance as process stats report it. */
export type InstanceState = 'RUNNING' | 'CRASHED' | 'STARTING' | 'DOWN'

/** Exposition format an instance answers with. */
export type MetricsFormat = 'text' | 'openmetrics'

/** What a custom metrics body generator receives. */
export interface MetricsBodyContext {
  appGuid: string
  /** The web process the instance belongs to (two during a deployment). */
  processGuid: string
  appName: string
  index: number
  format: MetricsFormat
}

/** One route of an app as a test describes it; `domain` defaults to the external shared domain. */
export interface SimRoute {
  /** `*` for a wildcard route; `''` for a TCP route. */
  host: string
  domain?: string
  path?: string
  /** `tcp`: a route of a TCP domain (`<domain>:<port>`), which the HTTP router does not serve. */
  protocol?: 'http' | 'tcp'
  /** Port of a TCP route. */
  port?: number
  /**
   * URL of a route service bound to the route (a user-provided service instance with
   * `route_service_url`): the Cloud Controller lists the binding, and the router sends requests
   * through the service, which loses `X-CF-APP-INSTANCE` (an instance at random answers).
   */
  routeService?: string
}

/** One Cloud Foundry app of the simulated landscape. */
export interface SimApp {
  name: string
  /** Lowercase UUID v4; generated when absent. */
  guid?: string
  /** Desired state, default STARTED. */
  state?: 'STARTED' | 'STOPPED'
  /** Desired web-process instances, default 1. */
  instances?: number
  /** Actual state per index, default RUNNING. A non-RUNNING instance is not registered in the router. */
  instanceStates?: InstanceState[]
  routes?: SimRoute[]
  labels?: Record<string, string>
  annotations?: Record<string, string>
  /** The only path the instance answers with metrics; default /metrics, other paths 404. */
  metricsPath?: string
  /** Default 'negotiate': OpenMetrics when the Accept header prefers it, else text 0.0.4. */
  format?: MetricsFormat | 'negotiate'
  /** The instance demands this Basic Authorization. */
  basicAuth?: { username: string; password: string }
  /** The instance demands `Authorization: Bearer <token>`. */
  bearerToken?: string
  /** Free-form check of the Authorization header (true = accepted); applied after basicAuth/bearerToken. */
  authorize?: (authorization: string | undefined) => boolean
  /** Port the instance listens on for internal routes (default 8080); also the route destination port. */
  internalPort?: number
  /** Custom metrics body. */
  body?: (ctx: MetricsBodyContext) => string
  /** The Content-Type sent with a metrics body (default: that of the format answered). */
  contentType?: string
  /**
   * Delimited protobuf `MetricFamily` messages, served (as client libraries do) when the scrape's
   * Accept prefers protobuf; other scrapes get `body` or the default.
   */
  protobuf?: (ctx: MetricsBodyContext) => Uint8Array
  /** Delay before answering a scrape. */
  delayMs?: number
  /**
   * A rolling or canary deployment in progress: a second `web` process of the app (the new
   * revision, created after the first) with these instances. Both register under the app's GUID in
   * the router, their indexes overlapping; `X-CF-APP-INSTANCE` reaches the process the router's
   * table holds last (the new one), `X-CF-PROCESS-INSTANCE` either precisely.
   */
  deployment?: { instances: number; instanceStates?: InstanceState[] }
  /**
   * The instances are real servers: a request the router delivers to instance `index` is forwarded
   * to this base URL (`http://127.0.0.1:<port>`), whatever its path, and its answer passed back.
   * Undefined for an index: that instance answers 502 as an app that is not listening.
   */
  upstream?: (index: number) => string | undefined
}

export interface SimSpace {
  name: string
  guid?: string
  labels?: Record<string, string>
  apps: SimApp[]
}

export interface SimOrg {
  name: string
  guid?: string
  labels?: Record<string, string>
  spaces: SimSpace[]
}

/** The whole simulated foundation. */
export interface Landscape {
  orgs: SimOrg[]
  /** Default 'apps.sim.localhost' (shared, internal:false). */
  externalDomain?: string
  /** Default 'apps.internal' (shared, internal:true). */
  internalDomain?: string
  /** Further shared domains; a route naming an unknown domain creates an external one. */
  extraDomains?: { name: string; internal?: boolean }[]
  /** Password-grant users, default [{ username: 'admin', password: 'admin-secret' }]. */
  users?: { username: string; password: string }[]
  /** client_credentials clients (the `cf` client with empty secret always exists for password grants). */
  clients?: { id: string; secret: string }[]
}

/** Start-up options; every fault can also be changed at runtime through `Simulator.faults`. */
export interface SimOptions {
  /** Host to bind, default 127.0.0.1. */
  host?: string
  /** Fixed ports (default 0 = ephemeral). */
  apiPort?: number
  uaaPort?: number
  proxyPort?: number
  /** Latency added to every CC and UAA request, in ms. */
  latencyMs?: number
  /** Access-token lifetime in seconds (default 1200, as the `cf` client on cf-deployment). */
  tokenLifetimeSeconds?: number
  /** Refresh-token lifetime in seconds (default 2592000). */
  refreshTokenLifetimeSeconds?: number
  /** Serve at most this many resources per page whatever per_page asks (links then carry the cap). */
  maxPerPage?: number
  /** The operator's `renderer.max_total_results` (page × per_page beyond it: 400). */
  maxTotalResults?: number
  /** Request logs keep the newest N entries each (default 20000). */
  logLimit?: number
  /** Seed of the router's random instance choice, for reproducible tests. */
  randomSeed?: number
  /** The router honours `X-CF-PROCESS-INSTANCE` (routing-release 0.332.0 and later; default true); false: an older router that ignores it. */
  processInstanceHeader?: boolean
}
