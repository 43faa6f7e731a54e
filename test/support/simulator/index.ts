/**
 * @module simulator
 * Entry point of the Cloud Foundry simulator used by integration tests, the demo and the
 * end-to-end test: `startSimulator(landscape)` starts a Cloud Controller v3, a UAA and a gorouter
 * on ephemeral loopback ports and returns a handle with URLs, the resolved landscape, logs,
 * counters, fault controls and landscape mutations.
 */
import { createApiServer } from './api-server.ts'
import { createCloudControllerHandler } from './cloud-controller.ts'
import { FaultControls } from './faults.ts'
import { createRouterServer } from './gorouter.ts'
import { closeServer, listen, trackSockets } from './http-io.ts'
import { seededRandom } from './ids.ts'
import { SimRecorder, type ApiLogEntry, type InstanceRequest, type RouterLogEntry, type SimStats } from './logs.ts'
import { Presenter } from './presenters.ts'
import { LandscapeState, type AppSummary } from './state.ts'
import { TokenStore } from './tokens.ts'
import type { InstanceState, Landscape, SimApp, SimOptions, SimRoute } from './types.ts'
import { createUaaHandler } from './uaa.ts'

export type * from './types.ts'
export type { ApiLogEntry, InstanceRequest, RouterLogEntry, SimStats } from './logs.ts'
export type { AppSummary } from './state.ts'
export type { FaultControls, FailNextOptions, RateLimitNextOptions } from './faults.ts'
export { defaultMetricsBody, expectedSampleValues, negotiateFormat, OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from './metrics-body.ts'
export { bigLandscape, demoLandscape, DEMO_METRICS_CREDENTIALS, oneSpace } from './landscapes.ts'

/** A running simulator. */
export interface Simulator {
  /** Cloud Controller root, `http://127.0.0.1:<p>`. */
  readonly apiUrl: string
  /** UAA root (token endpoint at `${uaaUrl}/oauth/token`). */
  readonly uaaUrl: string
  /** The gorouter as HTTP forward proxy, `http://127.0.0.1:<q>`. */
  readonly proxyUrl: string
  /** First password-grant user (default admin / admin-secret). */
  readonly credentials: { username: string; password: string }
  /** The live, indexed landscape (advanced use; prefer the helpers below). */
  readonly state: LandscapeState
  /** Runtime fault switches. */
  readonly faults: FaultControls
  /** All apps with org/space names, guids, effective instance states and routes. */
  apps(): AppSummary[]
  /** One app by name or guid. */
  app(nameOrGuid: string): AppSummary
  orgs(): { name: string; guid: string }[]
  spaces(): { org: string; orgGuid: string; name: string; guid: string }[]
  /** CC and UAA calls, oldest first. */
  requests(): ApiLogEntry[]
  /** Router calls, oldest first. */
  routerRequests(): RouterLogEntry[]
  /** What instance `index` of an app last received (headers after the router's changes). */
  lastInstanceRequest(app: string, index: number): InstanceRequest | undefined
  stats(): SimStats
  /** Forgets logs and counters. */
  clearLogs(): void
  /** Issues an access token without an HTTP call (not counted as a token request). */
  issueToken(): string
  scaleApp(app: string, instances: number): void
  setInstanceState(app: string, index: number, state: InstanceState): void
  stopApp(app: string): void
  startApp(app: string): void
  /** Adds an app to a space given by guid, name or `org/space`. */
  addApp(space: string, app: SimApp): AppSummary
  removeApp(app: string): void
  setLabels(app: string, labels: Record<string, string>): void
  mapRoute(app: string, route: SimRoute): void
  /** GUID of the HTTP route at `host` (without path); throws when there is none. */
  routeGuid(host: string): string
  close(): Promise<void>
}

/** Starts CC, UAA and gorouter for `landscape`. */
export async function startSimulator(landscape: Landscape, options: SimOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1'
  const state = new LandscapeState(landscape)
  const recorder = new SimRecorder(options.logLimit)
  const tokens = new TokenStore(options.tokenLifetimeSeconds, options.refreshTokenLifetimeSeconds)
  const faults = new FaultControls(tokens, { latencyMs: options.latencyMs, maxPerPage: options.maxPerPage, maxTotalResults: options.maxTotalResults })
  const urls = { api: '', uaa: '' }
  const passthrough = new Map<string, number>()

  const ccServer = createApiServer(
    'cc',
    createCloudControllerHandler({ state, presenter: new Presenter(state, () => urls.api), tokens, faults, apiUrl: () => urls.api, uaaUrl: () => urls.uaa }),
    faults,
    recorder,
  )
  const uaaServer = createApiServer('uaa', createUaaHandler(landscape, tokens, recorder, () => urls.uaa), faults, recorder)
  const router = createRouterServer({ state, recorder, faults, random: seededRandom(options.randomSeed ?? Date.now()), passthroughPorts: () => passthrough, processInstanceHeader: options.processInstanceHeader ?? true })
  const servers = [ccServer, uaaServer, router.server]
  const sockets = servers.map(trackSockets)

  const apiPort = await listen(ccServer, options.apiPort ?? 0, host)
  const uaaPort = await listen(uaaServer, options.uaaPort ?? 0, host)
  const proxyPort = await listen(router.server, options.proxyPort ?? 0, host)
  router.setOwnPort(proxyPort)
  urls.api = `http://127.0.0.1:${apiPort}`
  urls.uaa = `http://127.0.0.1:${uaaPort}`
  tokens.issuer = `${urls.uaa}/oauth/token`
  for (const [name, port] of [['127.0.0.1', apiPort], ['localhost', apiPort], ['127.0.0.1', uaaPort], ['localhost', uaaPort]] as const) {
    passthrough.set(`${name}:${port}`, port)
  }
  const users = landscape.users ?? [{ username: 'admin', password: 'admin-secret' }]

  const mutate = (nameOrGuid: string, change: (app: ReturnType<LandscapeState['findApp']>) => void) => {
    const app = state.findApp(nameOrGuid)
    change(app)
    state.touch(app)
  }

  return {
    apiUrl: urls.api,
    uaaUrl: urls.uaa,
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    credentials: users[0] ?? { username: '', password: '' },
    state,
    faults,
    apps: () => state.summarizeAll(),
    app: (nameOrGuid) => state.summarize(state.findApp(nameOrGuid)),
    orgs: () => [...state.orgs.values()].map((o) => ({ name: o.name, guid: o.guid })),
    spaces: () => [...state.spaces.values()].map((s) => ({ org: state.orgs.get(s.orgGuid)?.name ?? '', orgGuid: s.orgGuid, name: s.name, guid: s.guid })),
    requests: () => recorder.apiLog(),
    routerRequests: () => recorder.routerLog(),
    lastInstanceRequest: (app, index) => recorder.lastInstanceRequest(`${state.findApp(app).guid}:${index}`),
    stats: () => recorder.stats(),
    clearLogs: () => recorder.clear(),
    issueToken: () => tokens.issue({ clientId: 'cf', grantType: 'password', username: users[0]?.username ?? 'admin' }).accessToken,
    scaleApp: (app, instances) => mutate(app, (a) => { a.instances = instances }),
    setInstanceState: (app, index, instanceState) => mutate(app, (a) => { a.instanceStates[index] = instanceState }),
    stopApp: (app) => mutate(app, (a) => { a.state = 'STOPPED' }),
    startApp: (app) => mutate(app, (a) => { a.state = 'STARTED' }),
    addApp: (space, app) => state.summarize(state.addApp(state.findSpace(space).guid, app)),
    removeApp: (app) => state.removeApp(state.findApp(app).guid),
    routeGuid: (host) => state.routesForFqdn(host)[0]?.guid ?? (() => { throw new Error(`simulator: no route ${host}`) })(),
    setLabels: (app, labels) => mutate(app, (a) => { a.labels = { ...labels } }),
    mapRoute: (app, route) => mutate(app, (a) => { state.mapRoute(a, route) }),
    close: async () => {
      await Promise.all(servers.map((server, i) => closeServer(server, sockets[i] ?? new Set())))
    },
  }
}
