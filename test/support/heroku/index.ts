/**
 * @module test/support/heroku
 * A simulated Heroku account: the Platform API (platform-api.ts) and a stand-in for a Private
 * Space's DNS service discovery, reachable as an HTTP forward proxy (`proxyUrl`). Through it,
 * `<n>.<type>.<app>.app.localspace:<port>` reaches that dyno, which answers its own metrics; an
 * unknown name fails like a DNS miss (the connection is dropped), a dyno that is not `up` or a
 * wrong port like a refused connection. Requests for any other host go on to `fallbackProxy`
 * (e.g. the Cloud Foundry simulator's gorouter), so one `promregator.scraping.proxy` serves both.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect, type Socket } from 'node:net'
import { buildState, dynoHost, type DynoState, type HerokuLandscape, type HerokuState } from './landscape.ts'
import { createPlatformApi, type ApiLogEntry } from './platform-api.ts'

export type { DynoState, HerokuLandscape, SimHerokuApp, SimHerokuSpace, SimHerokuTeam } from './landscape.ts'
export type { ApiLogEntry } from './platform-api.ts'

export interface HerokuSimOptions {
  /** Tokens the API accepts (default `['heroku-sim-token']`). */
  tokens?: string[]
  /** Requests in the account's pool at start (default 4,500), refilled at `refillPerMinute` (default 75). */
  pool?: number
  refillPerMinute?: number
  /** Forward proxy for hosts outside `.app.localspace` (`http://host:port`). */
  fallbackProxy?: string
  now?: () => number
}

export interface HerokuSimulator {
  apiUrl: string
  proxyUrl: string
  token: string
  state: HerokuState
  /** Platform API requests so far. */
  requests(): ApiLogEntry[]
  /** Requests that reached a dyno, as `<host>:<port><path>`. */
  dynoRequests(): string[]
  clearLogs(): void
  setDynoState(app: string, number: number, state: DynoState): void
  setTopology(space: string, available: boolean): void
  setPool(requests: number): void
  pool(): number
  /** While true the API answers 503 to everything. */
  setUnavailable(unavailable: boolean): void
  close(): Promise<void>
}

/** The metrics one dyno serves: they name the app and dyno, so tests can tell dynos apart. */
export function dynoMetrics(app: string, dyno: string): string {
  return `# HELP sim_dyno_requests_total Requests served by this dyno.\n# TYPE sim_dyno_requests_total counter\nsim_dyno_requests_total{app="${app}",dyno="${dyno}"} ${100 + Number(dyno.split('.')[1])}\n`
}

/** Starts the API and the private-DNS proxy on ephemeral ports of 127.0.0.1. */
export async function startHerokuSimulator(landscape: HerokuLandscape, options: HerokuSimOptions = {}): Promise<HerokuSimulator> {
  const state = buildState(landscape)
  const tokens = options.tokens ?? ['heroku-sim-token']
  const api = createPlatformApi({ state, tokens: new Set(tokens), pool: options.pool ?? 4500, refillPerMinute: options.refillPerMinute ?? 75, now: options.now ?? Date.now })
  const dynoLog: string[] = []
  const apiServer = createServer((req, res) => api.handle(req, res))
  const fallback = options.fallbackProxy ? new URL(options.fallbackProxy) : undefined
  let proxyPort = 0

  /** The running dyno a private name and port reach, if any. */
  function dynoAt(hostname: string, port: number) {
    const match = /^(\d+)\.([a-z0-9_-]+)\.([a-z0-9-]+)\.app\.localspace$/.exec(hostname)
    const app = match && state.apps.find((a) => a.name === match[3] && a.space && a.generation === 'cedar')
    const dyno = app?.dynos.find((d) => d.number === Number(match![1]) && d.type === match![2])
    return app && dyno && dyno.state === 'up' && port === app.port ? { app, dyno } : undefined
  }

  /** A request for a dyno's private name; false when the name or port reaches no running dyno. */
  function serveDyno(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const found = dynoAt(url.hostname, Number(url.port || 80))
    if (!found) return false
    const { app, dyno } = found
    dynoLog.push(`${dynoHost(app, dyno)}:${app.port}${url.pathname}`)
    if (url.pathname !== app.metricsPath) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n')
      return true
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(dynoMetrics(app.name, `${dyno.type}.${dyno.number}`))
    void req
    return true
  }

  const proxyServer: Server = createServer((req, res) => {
    const url = /^https?:\/\//i.test(req.url ?? '') ? new URL(req.url!) : new URL(req.url ?? '/', `http://${req.headers.host ?? 'unknown'}`)
    if (url.hostname.endsWith('.app.localspace')) {
      // No such dyno: as a DNS miss or a refused connection, the client sees the connection fail.
      if (!serveDyno(req, res, url)) req.socket.destroy()
      return
    }
    if (!fallback) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('no route outside the private space\n')
      return
    }
    const upstream = httpRequest({ host: fallback.hostname, port: fallback.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  // CONNECT (undici's ProxyAgent tunnels plain HTTP too): a running dyno's name is tunnelled back
  // into this server, which then routes the inner request by its Host; an unknown name or port is
  // answered 502 as a forward proxy does when it cannot connect; others go on to the fallback proxy.
  proxyServer.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const authority = req.url ?? ''
    const [hostname, port] = [authority.slice(0, authority.lastIndexOf(':')), Number(authority.slice(authority.lastIndexOf(':') + 1))]
    const local = hostname.endsWith('.app.localspace')
    if (local ? !dynoAt(hostname, port) : !fallback) {
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
      return
    }
    const upstream = connect(local ? proxyPort : Number(fallback!.port), local ? '127.0.0.1' : fallback!.hostname, () => {
      if (local) client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      else upstream.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`)
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  proxyServer.on('clientError', (_error: Error, socket: Socket) => socket.destroy())

  const sockets = new Set<Socket>()
  for (const server of [apiServer, proxyServer]) server.on('connection', (s: Socket) => (sockets.add(s), s.on('close', () => sockets.delete(s))))
  const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)))
  const apiPort = await listen(apiServer)
  proxyPort = await listen(proxyServer)
  const findApp = (name: string) => state.apps.find((a) => a.name === name) ?? (() => { throw new Error(`heroku sim: no app ${name}`) })()
  return {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    token: tokens[0]!,
    state,
    requests: () => [...api.log],
    dynoRequests: () => [...dynoLog],
    clearLogs: () => {
      api.log.length = 0
      dynoLog.length = 0
    },
    setDynoState: (app, number, dynoState) => {
      const dyno = findApp(app).dynos.find((d) => d.number === number) ?? (() => { throw new Error(`heroku sim: no dyno ${number} of ${app}`) })()
      dyno.state = dynoState
    },
    setTopology: (space, available) => {
      const record = state.spaces.find((s) => s.name === space) ?? (() => { throw new Error(`heroku sim: no space ${space}`) })()
      record.topology = available
    },
    setPool: (requests) => api.setPool(requests),
    pool: () => api.pool(),
    setUnavailable: (unavailable) => api.setUnavailable(unavailable),
    close: async () => {
      for (const s of sockets) s.destroy()
      await Promise.all([apiServer, proxyServer].map((s) => new Promise((r) => s.close(r))))
    },
  }
}
