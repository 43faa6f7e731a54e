/**
 * @module test/support/heroku/platform-api
 * The simulated Heroku Platform API, as strict as the real one where it matters: the version 3
 * Accept header and a bearer token on every request (JSON errors `{id, message}`: 400, 401, 404),
 * lists of at most 200 items unless `Range: <field> ..; max=<n>` asks for up to 1,000, a cut list
 * answering 206 with `Next-Range`, and the account's request pool (`RateLimit-Remaining` on every
 * answer, refilled at 75 a minute, 429 `rate_limit` when empty; `/account/rate-limits` is free).
 * There is no list of a space's apps, as on the real API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AppRecord, HerokuState, SpaceRecord } from './landscape.ts'

const ACCEPT = /application\/vnd\.heroku\+json;\s*version=3/

export interface ApiLogEntry {
  method: string
  path: string
  range?: string
  status: number
}

export interface PlatformApiOptions {
  state: HerokuState
  tokens: Set<string>
  /** Requests in the account's pool at start (default 4,500). */
  pool: number
  /** Refill per minute (default 75). */
  refillPerMinute: number
  now: () => number
}

/** The API handler plus its log and pool controls. */
export interface PlatformApi {
  handle(req: IncomingMessage, res: ServerResponse): void
  log: ApiLogEntry[]
  setPool(requests: number): void
  pool(): number
  /** While true every request answers 503 (an outage). */
  setUnavailable(unavailable: boolean): void
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
  ) {
    super(message)
  }
}

const notFound = (what: string) => new ApiError(404, 'not_found', `Couldn't find that ${what}.`)

/** Creates the handler. */
export function createPlatformApi(options: PlatformApiOptions): PlatformApi {
  const { state } = options
  let pool = options.pool
  let unavailable = false
  let refilledAt = options.now()
  const log: ApiLogEntry[] = []

  const refill = () => {
    const gained = Math.floor(((options.now() - refilledAt) / 60_000) * options.refillPerMinute)
    if (gained > 0) {
      pool = Math.min(4500, pool + gained)
      refilledAt = options.now()
    }
  }

  const findApp = (idOrName: string): AppRecord => state.apps.find((a) => a.id === idOrName || a.name === idOrName) ?? (() => { throw notFound('app') })()
  const findSpace = (idOrName: string): SpaceRecord => state.spaces.find((s) => s.id === idOrName || s.name === idOrName) ?? (() => { throw notFound('space') })()

  const presentApp = (app: AppRecord) => ({
    id: app.id,
    name: app.name,
    space: app.space ? { id: app.space.id, name: app.space.name, shield: false } : null,
    team: app.team,
    organization: app.team,
    internal_routing: app.space ? app.internalRouting : null,
    generation: { id: `${app.generation}-generation`, name: app.generation },
    web_url: `https://${app.name}-0123456789ab.herokuapp.com/`,
    region: { id: 'r-1', name: 'virginia' },
    stack: { id: 's-1', name: 'heroku-24' },
    created_at: app.createdAt,
    updated_at: app.createdAt,
  })
  const presentDyno = (app: AppRecord, dyno: AppRecord['dynos'][number]) => ({
    id: dyno.id,
    name: `${dyno.type}.${dyno.number}`,
    type: dyno.type,
    state: dyno.state,
    size: 'Private-M',
    command: './promregator',
    attach_url: null,
    app: { id: app.id, name: app.name },
    release: { id: 'rel-1', version: 1 },
    created_at: app.createdAt,
    updated_at: app.createdAt,
  })
  const presentSpace = (space: SpaceRecord) => ({
    id: space.id,
    name: space.name,
    team: space.team,
    organization: space.team,
    region: { id: 'r-1', name: 'virginia' },
    state: 'allocated',
    shield: false,
    cidr: '10.0.0.0/16',
    data_cidr: '172.23.0.0/20',
    generation: { id: `${space.generation}-generation`, name: space.generation },
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  })
  const topology = (space: SpaceRecord) => {
    if (!space.topology) throw notFound('space topology')
    return {
      version: 1,
      apps: state.apps
        .filter((a) => a.space === space)
        .map((app) => {
          const types = [...new Set(app.dynos.map((d) => d.type))]
          return {
            id: app.id,
            domains: [],
            // What DNS service discovery serves: the running dynos.
            formation: types.map((type) => ({
              id: `${app.id}-${type}`,
              process_type: type,
              dynos: app.dynos.filter((d) => d.type === type && d.state === 'up').map((d) => ({ id: d.id, number: d.number, private_ip: `10.0.1.${d.number}`, hostname: `${d.number}.${type}.${app.name}.app.localspace` })),
            })),
          }
        }),
    }
  }

  /** Answers a list with the Range rules: sorted by the range's field, 200 a page unless `max` says up to 1,000. */
  function sendList(res: ServerResponse, range: string | undefined, items: Array<Record<string, unknown>>): number {
    const parsed = /^\s*(\w+)\s+(\]?)([^.;]*)\.\.([^;]*?)\s*(?:;\s*max=(\d+))?\s*$/.exec(range ?? 'id ..')
    if (!parsed) throw new ApiError(400, 'bad_request', `Invalid Range header: ${range}`)
    const [, field, exclusive, start] = parsed
    const max = Math.min(1000, Number(parsed[5] ?? 200))
    if (!['id', 'name', 'updated_at', 'created_at'].includes(field!)) throw new ApiError(400, 'bad_request', `Invalid Range field: ${field}`)
    const key = (item: Record<string, unknown>) => String(item[field!] ?? '')
    const sorted = [...items].sort((a, b) => key(a).localeCompare(key(b)))
    const from = start === '' ? 0 : sorted.findIndex((item) => (exclusive ? key(item) > start! : key(item) >= start!))
    const page = from < 0 ? [] : sorted.slice(from, from + max)
    const more = from >= 0 && from + max < sorted.length
    const headers: Record<string, string> = { 'content-range': `${field} ${page[0] ? key(page[0]) : ''}..${page.at(-1) ? key(page.at(-1)!) : ''}; max=${max}` }
    if (more) headers['next-range'] = `${field} ]${key(page.at(-1)!)}..; max=${max}`
    return send(res, more ? 206 : 200, page, headers)
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
    res.writeHead(status, { 'content-type': 'application/json', 'ratelimit-remaining': String(pool), 'request-id': crypto.randomUUID(), ...headers })
    res.end(JSON.stringify(body))
    return status
  }

  function route(req: IncomingMessage, res: ServerResponse, path: string): number {
    const range = req.headers.range
    if (unavailable) throw new ApiError(503, 'service_unavailable', 'The API is temporarily unavailable.')
    if (req.method !== 'GET') throw new ApiError(405, 'method_not_allowed', 'Only GET is simulated.')
    if (!ACCEPT.test(req.headers.accept ?? '')) throw new ApiError(400, 'bad_request', 'Please specify a version along with Heroku\'s API MIME type. For example, `Accept: application/vnd.heroku+json; version=3`.')
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
    if (!token || !options.tokens.has(token)) throw new ApiError(401, 'unauthorized', 'Invalid credentials provided.')
    if (path === '/account/rate-limits') return send(res, 200, { remaining: pool })
    refill()
    if (pool <= 0) throw new ApiError(429, 'rate_limit', 'Your account reached the API rate limit\nPlease wait a few minutes before making new requests')
    pool--
    let m: RegExpExecArray | null
    if (path === '/apps') return sendList(res, range, state.apps.map(presentApp))
    if ((m = /^\/teams\/([^/]+)\/apps$/.exec(path))) {
      const team = state.teams.find((t) => t.name === decodeURIComponent(m![1]!) || t.id === m![1])
      if (!team) throw notFound('team')
      return sendList(res, range, state.apps.filter((a) => a.team === team).map(presentApp))
    }
    if ((m = /^\/apps\/([^/]+)$/.exec(path))) return send(res, 200, presentApp(findApp(decodeURIComponent(m[1]!))))
    if ((m = /^\/apps\/([^/]+)\/dynos$/.exec(path))) {
      const app = findApp(decodeURIComponent(m[1]!))
      return sendList(res, range, app.dynos.map((d) => presentDyno(app, d)))
    }
    if ((m = /^\/apps\/([^/]+)\/formation$/.exec(path))) {
      const app = findApp(decodeURIComponent(m[1]!))
      const types = [...new Set(app.dynos.map((d) => d.type))]
      return sendList(res, range, types.map((type) => ({ id: `${app.id}-${type}`, type, quantity: app.dynos.filter((d) => d.type === type).length, command: './promregator', size: 'Private-M', app: { id: app.id, name: app.name } })))
    }
    if ((m = /^\/spaces\/([^/]+)$/.exec(path))) return send(res, 200, presentSpace(findSpace(decodeURIComponent(m[1]!))))
    if ((m = /^\/spaces\/([^/]+)\/topology$/.exec(path))) return send(res, 200, topology(findSpace(decodeURIComponent(m[1]!))))
    throw new ApiError(404, 'not_found', 'The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), and did you specify your intended version with the `Accept` header?')
  }

  return {
    log,
    setPool: (requests) => void (pool = requests, refilledAt = options.now()),
    pool: () => pool,
    setUnavailable: (value) => void (unavailable = value),
    handle(req, res) {
      const path = new URL(req.url ?? '/', 'http://api').pathname
      let status: number
      try {
        status = route(req, res, path)
      } catch (error) {
        const e = error instanceof ApiError ? error : new ApiError(500, 'internal_server_error', String(error))
        status = send(res, e.status, { id: e.id, message: e.message })
      }
      log.push({ method: req.method ?? 'GET', path, ...(req.headers.range ? { range: req.headers.range } : {}), status })
    },
  }
}
