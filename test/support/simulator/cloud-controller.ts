/**
 * @module simulator/cloud-controller
 * The simulated Cloud Controller v3: unauthenticated root documents (`/`, `/v3`, `/v3/info`),
 * bearer-token checks against the simulated UAA, and the read-only endpoints a discovery client
 * uses (organizations, spaces, apps, routes, domains, processes, process stats).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ApiHandler } from './api-server.ts'
import { listSpecs, runList, type ListSpec } from './cc-lists.ts'
import type { FaultControls } from './faults.ts'
import { sendJson } from './http-io.ts'
import type { Presenter } from './presenters.ts'
import { CcError, parseQuery, type ParsedQuery } from './query.ts'
import type { AppRecord, LandscapeState } from './state.ts'
import type { TokenStore } from './tokens.ts'

export interface CloudControllerDeps {
  state: LandscapeState
  presenter: Presenter
  tokens: TokenStore
  faults: FaultControls
  apiUrl: () => string
  uaaUrl: () => string
}

const notFound = (what: string) => new CcError(404, 10010, 'CF-ResourceNotFound', `${what} not found`)
const unknownRequest = () => new CcError(404, 10000, 'CF-NotFound', 'Unknown request')

function rootDocument(api: string, uaa: string) {
  return {
    links: {
      self: { href: api },
      cloud_controller_v2: { href: `${api}/v2`, meta: { version: '2.250.0' } },
      cloud_controller_v3: { href: `${api}/v3`, meta: { version: '3.185.0' } },
      network_policy_v0: { href: `${api}/networking/v0/external` },
      network_policy_v1: { href: `${api}/networking/v1/external` },
      login: { href: uaa },
      uaa: { href: uaa },
      credhub: null,
      routing: { href: `${api}/routing` },
      logging: { href: 'wss://doppler.sim.localhost:443' },
      log_cache: { href: 'http://log-cache.sim.localhost' },
      log_stream: { href: 'http://log-stream.sim.localhost' },
      app_ssh: { href: 'ssh.sim.localhost:2222', meta: { host_key_fingerprint: 'sim-fingerprint', oauth_client: 'ssh-proxy' } },
    },
  }
}

function v3Document(api: string) {
  const names = ['apps', 'buildpacks', 'deployments', 'domains', 'droplets', 'feature_flags', 'info', 'isolation_segments', 'organizations', 'packages', 'processes', 'resource_matches', 'roles', 'routes', 'service_instances', 'spaces', 'stacks', 'tasks', 'users']
  return { links: { self: { href: `${api}/v3` }, ...Object.fromEntries(names.map((n) => [n, { href: `${api}/v3/${n}` }])) } }
}

function infoDocument(api: string) {
  return {
    build: 'sim',
    cli_version: { minimum: '6.22.0', recommended: 'latest' },
    custom: {},
    description: 'Simulated Cloud Foundry for tests',
    name: 'Cloud Foundry Simulator',
    version: 3,
    osbapi_version: '2.15',
    rate_limits: { enabled: false, general_limit: 2000, reset_interval_in_minutes: 60 },
    links: { self: { href: `${api}/v3/info` }, support: { href: 'http://support.sim.localhost' } },
  }
}

/** Checks `Authorization: bearer <token>`; throws the CC 401 the reference describes. */
function authenticate(req: IncomingMessage, tokens: TokenStore): void {
  const header = req.headers.authorization
  if (header === undefined || header.trim() === '') throw new CcError(401, 10002, 'CF-NotAuthenticated', 'Authentication error')
  const match = /^bearer\s+(\S+)\s*$/i.exec(header)
  if (!match || tokens.checkAccess(match[1] ?? '') !== 'valid') throw new CcError(401, 1000, 'CF-InvalidAuthToken', 'Invalid Auth Token')
}

/** Builds the Cloud Controller request handler. */
export function createCloudControllerHandler(deps: CloudControllerDeps): ApiHandler {
  const { state, presenter, tokens, faults } = deps
  const specs = listSpecs(state, presenter)

  const appOr404 = (guid: string) => state.apps.get(guid) ?? (() => { throw notFound('App') })()
  const processOr404 = (guid: string): AppRecord => {
    for (const process of state.webProcesses()) if (process.processGuid === guid) return process
    throw notFound('Process')
  }
  const webProcessOf = (appGuid: string, type: string) => {
    const app = appOr404(appGuid)
    if (type !== 'web') throw notFound('Process')
    return app
  }
  const routesOfApp = (guid: string) => [...state.routes.values()].filter((r) => r.destinations.some((d) => d.appGuid === guid))

  function list<T>(res: ServerResponse, spec: ListSpec<T>, items: Iterable<T>, query: ParsedQuery, path: string): void {
    sendJson(res, 200, runList(spec, items, query, `${deps.apiUrl()}${path}`, faults.maxPerPage, faults.maxTotalResults))
  }

  /** Authenticated GET routes: [pattern, handler(match groups)]. */
  const routes: [RegExp, (res: ServerResponse, query: ParsedQuery, path: string, ids: string[]) => void][] = [
    [/^\/v3\/organizations$/, (res, q, p) => list(res, specs.organizations, state.orgs.values(), q, p)],
    [/^\/v3\/organizations\/([^/]+)$/, (res, _q, _p, [g]) => sendJson(res, 200, presenter.org(state.orgs.get(g ?? '') ?? (() => { throw notFound('Organization') })()))],
    [/^\/v3\/organizations\/([^/]+)\/domains$/, (res, q, p, [g]) => {
      if (!state.orgs.has(g ?? '')) throw notFound('Organization')
      list(res, specs.orgDomains, state.domains.values(), q, p)
    }],
    [/^\/v3\/spaces$/, (res, q, p) => list(res, specs.spaces, state.spaces.values(), q, p)],
    [/^\/v3\/spaces\/([^/]+)$/, (res, _q, _p, [g]) => sendJson(res, 200, presenter.space(state.spaces.get(g ?? '') ?? (() => { throw notFound('Space') })()))],
    [/^\/v3\/apps$/, (res, q, p) => list(res, specs.apps, state.apps.values(), q, p)],
    [/^\/v3\/apps\/([^/]+)$/, (res, _q, _p, [g]) => sendJson(res, 200, presenter.app(appOr404(g ?? '')))],
    [/^\/v3\/apps\/([^/]+)\/routes$/, (res, q, p, [g]) => list(res, specs.appRoutes, (appOr404(g ?? ''), routesOfApp(g ?? '')), q, p)],
    [/^\/v3\/apps\/([^/]+)\/processes$/, (res, q, p, [g]) => {
      const app = appOr404(g ?? '')
      list(res, specs.appProcesses, app.deployment ? [app, app.deployment] : [app], q, p)
    }],
    [/^\/v3\/apps\/([^/]+)\/processes\/([^/]+)$/, (res, _q, _p, [g, t]) => sendJson(res, 200, presenter.process(webProcessOf(g ?? '', t ?? '')))],
    [/^\/v3\/apps\/([^/]+)\/processes\/([^/]+)\/stats$/, (res, _q, _p, [g, t]) => sendJson(res, 200, presenter.stats(webProcessOf(g ?? '', t ?? '')))],
    [/^\/v3\/routes$/, (res, q, p) => list(res, specs.routes, state.routes.values(), q, p)],
    [/^\/v3\/routes\/([^/]+)$/, (res, _q, _p, [g]) => sendJson(res, 200, presenter.route(state.routes.get(g ?? '') ?? (() => { throw notFound('Route') })()))],
    [/^\/v3\/domains$/, (res, q, p) => list(res, specs.domains, state.domains.values(), q, p)],
    [/^\/v3\/domains\/([^/]+)$/, (res, _q, _p, [g]) => sendJson(res, 200, presenter.domain(state.domains.get(g ?? '') ?? (() => { throw notFound('Domain') })()))],
    [/^\/v3\/service_route_bindings$/, (res, q, p) => list(res, specs.serviceRouteBindings, [...state.routes.values()].filter((r) => r.routeService !== undefined) as Parameters<typeof presenter.serviceRouteBinding>[0][], q, p)],
    [/^\/v3\/processes$/, (res, q, p) => list(res, specs.processes, state.webProcesses(), q, p)],
    [/^\/v3\/processes\/([^/]+)$/, (res, _q, _p, [g]) => sendJson(res, 200, presenter.process(processOr404(g ?? '')))],
    [/^\/v3\/processes\/([^/]+)\/stats$/, (res, _q, _p, [g]) => sendJson(res, 200, presenter.stats(processOr404(g ?? '')))],
  ]

  return (req, res, rawPath, rawQuery) => {
    const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath
    const api = deps.apiUrl()
    if (req.method !== 'GET' && req.method !== 'HEAD') throw unknownRequest()
    if (path === '/') return sendJson(res, 200, rootDocument(api, deps.uaaUrl()))
    if (path === '/v3') return sendJson(res, 200, v3Document(api))
    if (path === '/v3/info') return sendJson(res, 200, infoDocument(api))
    if (path === '/v2/info') {
      return sendJson(res, 200, { name: '', build: '', api_version: '2.250.0', authorization_endpoint: deps.uaaUrl(), token_endpoint: deps.uaaUrl(), min_cli_version: null })
    }
    for (const [pattern, handle] of routes) {
      const match = pattern.exec(path)
      if (!match) continue
      authenticate(req, tokens)
      return handle(res, parseQuery(rawQuery), path, match.slice(1).map((g) => decodeURIComponent(g)))
    }
    throw unknownRequest()
  }
}
