/**
 * @module platform/heroku/client
 * A small Heroku Platform API client with the API's conventions: `Accept:
 * application/vnd.heroku+json; version=3` and a bearer token on every request; lists read to the
 * end with `Range: id ..; max=1000` (a cut list answers 206 with `Next-Range`, sent back as the
 * next `Range`); errors are JSON `{id, message}`; the account's request pool (4,500, refilled at
 * about 75 a minute, shared by every client of the account) is reported in `RateLimit-Remaining`,
 * kept here for the refresh loop to slow down by, and an empty pool answers 429, waited out. A
 * client-side rate limit, timeouts, and retries with backoff for network errors and 5xx.
 */
import { z } from 'zod'
import { createRateLimiter } from '../../net/rate-limit.ts'
import type { ApiRequestEvent } from '../types.ts'

/** An error of the Platform API: its status and error id (`not_found`, `unauthorized`, `rate_limit`, ...). */
export class HerokuApiError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly status?: number,
    readonly id?: string,
  ) {
    super(message)
    this.name = 'HerokuApiError'
  }
}

export interface HerokuClientOptions {
  apiUrl: string
  token: string
  fetch: typeof fetch
  /** Timeout of one attempt (ms), retries after the first attempt, first retry delay (ms, doubled per retry). */
  request: { timeout: number; retries: number; backoff: number }
  /** Most requests per second (0: none). */
  perSecond: number
  sleep?: (ms: number) => Promise<void>
  /** Longest total wait for an empty pool (429) before a request gives up (ms); default 60 s. */
  maxRateLimitWaitMs?: number
  onRequest?: (event: ApiRequestEvent) => void
}

export interface HerokuClient {
  readonly apiUrl: string
  /** One resource, checked by `schema`. */
  get<T>(path: string, schema: z.ZodType<T>): Promise<T>
  /** Every item of a list, page by page (1,000 a page), each checked by `schema`. */
  list<T>(path: string, schema: z.ZodType<T>): Promise<{ items: T[]; pages: number }>
  /** `RateLimit-Remaining` of the last answer; undefined before the first. */
  remaining(): number | undefined
}

const ACCEPT = 'application/vnd.heroku+json; version=3'
const FIRST_RANGE = 'id ..; max=1000'
/** Wait after a 429 before asking again: the pool refills at about 75 requests a minute. */
const RATE_LIMIT_PAUSE_MS = 2000

/** Creates a client; nothing is requested until the first call. */
export function createHerokuClient(options: HerokuClientOptions): HerokuClient {
  const apiUrl = options.apiUrl.replace(/\/+$/, '')
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const rateLimited = createRateLimiter({ perSecond: options.perSecond, sleep })
  const maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 60_000
  let remaining: number | undefined

  /** One attempt. */
  async function once(path: string, range: string | undefined): Promise<Response> {
    await rateLimited()
    const started = performance.now()
    const endpoint = path.split('?', 1)[0]!.replace(/\/[0-9a-f-]{36}(?=\/|$)/g, '/{id}')
    try {
      const response = await options.fetch(`${apiUrl}${path}`, {
        headers: { accept: ACCEPT, authorization: `Bearer ${options.token}`, ...(range ? { range } : {}) },
        signal: AbortSignal.timeout(options.request.timeout),
      })
      const left = Number(response.headers.get('ratelimit-remaining'))
      if (response.headers.has('ratelimit-remaining') && Number.isFinite(left)) remaining = left
      options.onRequest?.({ endpoint, status: response.status, durationMs: performance.now() - started })
      return response
    } catch (error) {
      options.onRequest?.({ endpoint, status: 'error', durationMs: performance.now() - started })
      throw error
    }
  }

  /** One request with retries (network errors, 5xx) and waits for an empty pool (429). */
  async function request(path: string, range?: string): Promise<Response> {
    let waited = 0
    for (let attempt = 0; ; attempt++) {
      let response: Response
      try {
        response = await once(path, range)
      } catch (error) {
        if (attempt >= options.request.retries) throw new HerokuApiError(`${path}: ${(error as Error).message}`, path)
        await sleep(options.request.backoff * 2 ** attempt)
        continue
      }
      if (response.status === 429 && waited < maxRateLimitWaitMs) {
        await response.body?.cancel()
        waited += RATE_LIMIT_PAUSE_MS
        await sleep(RATE_LIMIT_PAUSE_MS)
        attempt--
        continue
      }
      if (response.status >= 500 && attempt < options.request.retries) {
        await response.body?.cancel()
        await sleep(options.request.backoff * 2 ** attempt)
        continue
      }
      if (response.status >= 400) throw await apiError(path, response)
      return response
    }
  }

  async function json<T>(path: string, response: Response, schema: z.ZodType<T>): Promise<T> {
    const parsed = schema.safeParse(await response.json())
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new HerokuApiError(`${path}: unexpected answer: ${issue?.path.join('.')} ${issue?.message}`, path, response.status)
    }
    return parsed.data
  }

  return {
    apiUrl,
    remaining: () => remaining,
    async get(path, schema) {
      return json(path, await request(path), schema)
    },
    async list<T>(path: string, schema: z.ZodType<T>) {
      const items: T[] = []
      let range: string | undefined = FIRST_RANGE
      let pages = 0
      while (range !== undefined) {
        const response = await request(path, range)
        pages++
        for (const item of await json(path, response, z.array(schema))) items.push(item)
        // 206 Partial Content: more to come, from where Next-Range says.
        range = response.status === 206 ? (response.headers.get('next-range') ?? undefined) : undefined
      }
      return { items, pages }
    },
  }
}

/** The Platform API's JSON error (`{id, message}`) as an error naming the request. */
async function apiError(path: string, response: Response): Promise<HerokuApiError> {
  let id: string | undefined
  let message = response.statusText
  try {
    const body = (await response.json()) as { id?: unknown; message?: unknown }
    if (typeof body.id === 'string') id = body.id
    if (typeof body.message === 'string') message = body.message
  } catch {
    // not JSON: the status says enough
  }
  return new HerokuApiError(`${path}: ${response.status}${id ? ` ${id}` : ''}: ${message}`, path, response.status, id)
}
