/**
 * @module simulator/gorouter
 * The simulated gorouter, reachable as an HTTP forward proxy (`proxyUrl`). It accepts
 * absolute-form requests (Bun's fetch `proxy`), CONNECT tunnels (undici's ProxyAgent; the tunnel is
 * piped back into this server so the inner request is routed by its Host header) and plain
 * requests routed by Host. External hosts follow gorouter rules (X-CF-APP-INSTANCE, 400/404
 * `unknown_route`); internal hostnames reach the instance directly, and a wrong port or unknown
 * name destroys the socket as a refused connection would. Requests for the simulator's own CC/UAA
 * authority are passed through, so one proxy setting can serve every outbound call.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FaultControls } from './faults.ts'
import { openTunnel, sendText, splitHostPort } from './http-io.ts'
import { newGuid } from './ids.ts'
import { serveInstance } from './instance.ts'
import type { RouterLogEntry, SimRecorder } from './logs.ts'
import { APP_INSTANCE_HEADER_PATTERN, isInternalHost, lookupExternal, lookupInternal, PROCESS_INSTANCE_HEADER_PATTERN, type Endpoint } from './routing-table.ts'
import type { LandscapeState } from './state.ts'

export interface RouterDeps {
  state: LandscapeState
  recorder: SimRecorder
  faults: FaultControls
  random: () => number
  /** Authority (`127.0.0.1:port`) → port of the simulator's CC and UAA, passed through untouched. */
  passthroughPorts: () => Map<string, number>
  /** Whether this router honours `X-CF-PROCESS-INSTANCE` (routing-release 0.332.0 and later). */
  processInstanceHeader: boolean
}

/** The router server plus the hook that tells it its own port (known only after listen). */
export interface RouterServer {
  server: Server
  setOwnPort(port: number): void
}

const NO_CACHE = { 'Cache-Control': 'no-cache, no-store' }
const HOP_HEADERS = ['proxy-connection', 'proxy-authorization', 'x-cf-app-instance', 'x-cf-process-instance']

function routerError(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): number {
  const statusText = { 400: 'Bad Request', 404: 'Not Found', 502: 'Bad Gateway', 503: 'Service Unavailable' }[status] ?? 'Error'
  sendText(res, status, `${status} ${statusText}: ${message}\n`, { 'X-Cf-Routererror': code, ...extra })
  return status
}

/** Creates the gorouter server. */
export function createRouterServer(deps: RouterDeps): RouterServer {
  const { state, recorder, faults } = deps
  let ownPort = 0
  /** Local ports of our own loopback legs of CONNECT tunnels: requests from them came via CONNECT. */
  const tunnelPorts = new Set<number>()
  const pick = (endpoints: Endpoint[]): Endpoint | undefined => endpoints[Math.floor(deps.random() * endpoints.length)]

  function forwardedHeaders(req: IncomingMessage): IncomingHttpHeaders {
    const headers: IncomingHttpHeaders = { ...req.headers }
    for (const name of HOP_HEADERS) delete headers[name]
    headers['x-forwarded-proto'] ??= 'http'
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1'
    return headers
  }

  /** Passes a request for the simulator's own CC/UAA through to it. */
  function passThrough(req: IncomingMessage, res: ServerResponse, port: number, path: string): void {
    const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  }

  async function route(req: IncomingMessage, res: ServerResponse, entry: Omit<RouterLogEntry, 'at' | 'status' | 'instance' | 'internal'>): Promise<Pick<RouterLogEntry, 'status' | 'instance' | 'internal'>> {
    const { host, port } = splitHostPort(entry.host, 80)
    const failure = faults.takeFailure('router', entry.path)
    if (failure) {
      recorder.recordRouterFault()
      return { status: routerError(res, failure.status, 'endpoint_failure', 'Registered endpoint failed to handle the request.'), instance: null, internal: false }
    }
    if (isInternalHost(state, host)) {
      const endpoint = pick(lookupInternal(state, host, port))
      if (!endpoint) {
        req.socket.destroy()
        return { status: 0, instance: null, internal: true }
      }
      // no gorouter on the container network: the instance sees the request as sent
      const status = await serveInstance(endpoint.app, endpoint.index, req, res, entry.path, req.headers, recorder)
      return { status, instance: `${endpoint.app.guid}:${endpoint.index}`, internal: true }
    }
    const found = lookupExternal(state, host, entry.path)
    // A bound route service receives the request and sends it back without the routing headers.
    const throughService = found?.route.routeService !== undefined
    const header = throughService ? null : entry.appInstanceHeader
    // An older router ignores the process header; when both are sent, the app header wins.
    const processHeader = deps.processInstanceHeader && header === null && !throughService ? (entry.processInstanceHeader ?? null) : null
    let endpoint: Endpoint | undefined
    if (header !== null) {
      const match = APP_INSTANCE_HEADER_PATTERN.exec(header)
      if (!match) {
        return { status: routerError(res, 400, 'invalid_cf_app_instance_header', 'Invalid X-CF-App-Instance Header', NO_CACHE), instance: null, internal: false }
      }
      const [, guid, , index] = match
      // Several processes of one app (a deployment) share indexes: the endpoint registered last wins.
      endpoint = found?.endpoints.findLast((e) => e.app.guid === guid && String(e.index) === index)
      if (!endpoint) {
        const message = `Requested instance ('${index}') with guid ('${guid}') does not exist for route ('${entry.host}')`
        return { status: routerError(res, 400, 'unknown_route', message, NO_CACHE), instance: null, internal: false }
      }
    } else if (processHeader !== null) {
      const match = PROCESS_INSTANCE_HEADER_PATTERN.exec(processHeader)
      if (!match) {
        return { status: routerError(res, 400, 'invalid_cf_process_instance_header', 'Invalid X-CF-Process-Instance Header', NO_CACHE), instance: null, internal: false }
      }
      const [, guid, , index] = match
      endpoint = pick(found?.endpoints.filter((e) => e.app.processGuid === guid && (index === undefined || String(e.index) === index)) ?? [])
      if (!endpoint) {
        const message = `Requested instance ('${index ?? ''}') with process guid ('${guid}') does not exist for route ('${entry.host}')`
        return { status: routerError(res, 400, 'unknown_route', message, NO_CACHE), instance: null, internal: false }
      }
    } else {
      if (!found) return { status: routerError(res, 404, 'unknown_route', `Requested route ('${entry.host}') does not exist.`), instance: null, internal: false }
      endpoint = pick(found.endpoints)
    }
    if (!endpoint) return { status: routerError(res, 503, 'no_endpoints', 'Requested route has no available endpoints.'), instance: null, internal: false }
    res.setHeader('X-Vcap-Request-Id', newGuid())
    const status = await serveInstance(endpoint.app, endpoint.index, req, res, entry.path, forwardedHeaders(req), recorder)
    return { status, instance: `${endpoint.app.guid}:${endpoint.index}`, internal: false }
  }

  const server = createServer(async (req, res) => {
    const rawUrl = req.url ?? '/'
    const absolute = /^https?:\/\//i.test(rawUrl)
    const url = absolute ? new URL(rawUrl) : undefined
    const authority = url ? url.host : (req.headers.host ?? '')
    const path = url ? `${url.pathname}${url.search}` : rawUrl
    const via: RouterLogEntry['via'] = absolute ? 'absolute' : tunnelPorts.has(req.socket.remotePort ?? -1) ? 'connect' : 'host'
    // The gorouter reads a header's first value (Go's Header.Get); Node would join repeated ones.
    const appInstanceHeader = firstHeaderValue(req.rawHeaders, 'x-cf-app-instance')
    const processInstanceHeader = firstHeaderValue(req.rawHeaders, 'x-cf-process-instance')
    const entry = { via, method: req.method ?? 'GET', host: authority, path, appInstanceHeader, processInstanceHeader }
    if (faults.isUnreachable('router')) {
      recorder.recordRouter({ ...entry, status: 0, instance: null, internal: false })
      req.socket.destroy()
      return
    }
    const passthroughPort = deps.passthroughPorts().get(authority.toLowerCase())
    if (passthroughPort !== undefined) {
      recorder.recordRouter({ ...entry, status: 0, instance: null, internal: false })
      passThrough(req, res, passthroughPort, path)
      return
    }
    const outcome = await route(req, res, entry)
    recorder.recordRouter({ ...entry, ...outcome })
  })

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    recorder.recordTunnel()
    const authority = req.url ?? ''
    const { host, port } = splitHostPort(authority, 443)
    if (faults.isUnreachable('router')) {
      // accept, then drop the tunnel: the client's request fails at once with a socket error
      // (destroying before the 200 makes undici's ProxyAgent retry the CONNECT endlessly)
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n', () => client.destroy())
      return
    }
    const targetPort = deps.passthroughPorts().get(authority.toLowerCase()) ?? ownPort
    // An internal name that resolves to nothing on that port: the tunnel's target refuses, so we
    // answer as a forward proxy does (502, then close). Destroying the socket instead makes
    // undici's ProxyAgent hang rather than fail.
    if (targetPort === ownPort && isInternalHost(state, host) && lookupInternal(state, host, port).length === 0) {
      recorder.recordRouter({ via: 'connect', method: 'CONNECT', host: authority, path: '', appInstanceHeader: null, instance: null, internal: true, status: 502 })
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
      return
    }
    openTunnel(client, head, targetPort, '127.0.0.1', (upstream) => {
      const localPort = upstream.localPort
      if (localPort !== undefined) {
        tunnelPorts.add(localPort)
        upstream.once('close', () => tunnelPorts.delete(localPort))
      }
    })
  })

  // garbage (e.g. TLS inside a tunnel to :443) must not crash the process
  server.on('clientError', (_error: Error, socket: Socket) => socket.destroy())

  return { server, setOwnPort: (port) => { ownPort = port } }
}

/** The first value of header `name` as sent (`rawHeaders` holds name, value, name, value ...), or null. */
function firstHeaderValue(rawHeaders: string[], name: string): string | null {
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === name) return rawHeaders[i + 1] ?? ''
  return null
}
