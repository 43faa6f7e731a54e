/**
 * @module platform/cf/client
 * A small Cloud Controller v3 client: endpoint discovery from the API root, bearer tokens from
 * UAA, pagination to the end (pages after the first in parallel), one re-login on 401, retries
 * with backoff and jitter on network errors and 5xx, waiting out 429s, a client-side rate limit
 * and a bound on requests in flight. Responses are validated with zod by the caller's schema.
 */
import { createFetch, type FetchResponse } from 'ofetch'
import pLimit from 'p-limit'
import { z } from 'zod'
import type { CfRequestSettings } from '../../config/schema.ts'
import { createRateLimiter } from '../../net/rate-limit.ts'
import type { TokenSource } from '../../oauth/types.ts'
import type { ApiRequestEvent } from '../types.ts'
import { queryString, type QueryValue } from './query.ts'
import { paginationSchema, rootSchema } from './resources.ts'

/** `api.example.org` → `https://api.example.org`; a URL with a scheme is kept (without a trailing slash). */
export function apiBaseUrl(apiHost: string): string {
  const trimmed = apiHost.trim().replace(/\/+$/, '')
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`
}

/** An error talking to the Cloud Controller, with what was asked and what came back. */
export class CfApiError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
  ) {
    super(message)
    this.name = 'CfApiError'
  }
}

export interface CfClientOptions {
  apiUrl: string
  fetch: typeof fetch
  /** Called once the root is read, to build the token source from the UAA URL. */
  tokens: (uaaUrl: string) => TokenSource
  /**
   * `cf.request.*`: timeouts (`timeout.org` for calls that name none), retries after the first
   * attempt for network errors and 5xx, the first retry delay (doubled per retry, with jitter),
   * the client-side rate limit (requests per second, 0: none), and the most requests in flight.
   */
  request: CfRequestSettings
  /** Longest wait honoured for a 429 before giving up on this request (ms); default 60 s. */
  maxRateLimitWaitMs?: number
  /** Most 429 answers waited out for one request; default 5. */
  maxRateLimitWaits?: number
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  onRequest?: (event: ApiRequestEvent) => void
  /** Extra fetch options (e.g. Bun's `tls` for skipSslValidation, `proxy` for cf.proxy). */
  fetchOptions?: Record<string, unknown>
  /**
   * Called when a large response (a page of {@link LARGE_RESPONSE_CHARS} or more) has just become
   * garbage: once its text is parsed, and once its pages are turned into resources. The Bun entry
   * collects garbage there. Pages of 5,000 resources are megabytes of JSON and several times that
   * parsed; without a collection between them their garbage piles up until the next scheduled one
   * (discovering 3,000 apps: peak RSS 131 MiB without, about 95 MiB with).
   */
  collectGarbage?: () => void
  /** Response text length from which a response counts as large (default {@link LARGE_RESPONSE_CHARS}). */
  largeResponseChars?: number
  /** Something the operator should know about how a list was read (a log line). */
  onNote?: (message: string) => void
}

/** Page size of the listing by creation time (see `listByCreation`). */
const CAPPED_PER_PAGE = 500

/** Response text length from which {@link CfClientOptions.collectGarbage} is called by default (a page of ~1,000 apps). */
export const LARGE_RESPONSE_CHARS = 1_000_000

export interface ListResult<T> {
  resources: T[]
  included: Record<string, unknown[]>
  pages: number
}

/** Options of one list call. */
export interface ListOptions {
  /** Timeout of each HTTP attempt of this call (ms). */
  timeoutMs?: number
}

export interface CfClient {
  readonly apiUrl: string
  /**
   * Lists every resource of a collection (5,000 per page unless `per_page` is given). After the
   * first page the remaining ones are fetched in parallel; identical calls in flight share one run.
   */
  list<T>(path: string, query: Record<string, QueryValue>, schema: z.ZodType<T>, options?: ListOptions): Promise<ListResult<T>>
}

const pageSchema = z.object({
  pagination: paginationSchema,
  resources: z.array(z.unknown()),
  included: z.record(z.string(), z.array(z.unknown())).optional(),
})
type Page = z.infer<typeof pageSchema>

/** Creates a client; nothing is requested until the first call. */
export function createCfClient(options: CfClientOptions): CfClient {
  const apiUrl = apiBaseUrl(options.apiUrl)
  const $fetch = createFetch({ fetch: options.fetch })
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const random = options.random ?? Math.random
  const { retries, backoff: backoffMs } = options.request
  const maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 60_000
  const maxRateLimitWaits = options.maxRateLimitWaits ?? 5
  const defaultTimeoutMs = options.request.timeout.org
  const inFlight = pLimit(options.request.concurrency)
  const rateLimited = createRateLimiter({ perSecond: options.request.rateLimit, sleep })
  const sharedLists = new Map<string, Promise<ListResult<unknown>>>()
  /** Whether this foundation refuses pages beyond a total (`renderer.max_total_results`): see `listByCreation`. */
  let capped = false
  let session: Promise<{ v3: string; tokens: TokenSource }> | undefined

  /** One HTTP attempt, after the rate limit and inside the concurrency bound. */
  const once = async (url: string, headers: Record<string, string>, timeoutMs: number): Promise<FetchResponse<unknown>> => {
    await rateLimited()
    return inFlight(async () => {
      const started = performance.now()
      const endpoint = endpointOf(url)
      try {
        const response = await $fetch.raw(url, {
          headers: { accept: 'application/json', ...headers },
          retry: false,
          timeout: timeoutMs,
          ignoreResponseError: true,
          responseType: 'text',
          ...options.fetchOptions,
        })
        options.onRequest?.({ endpoint, status: response.status, durationMs: performance.now() - started })
        return response
      } catch (error) {
        options.onRequest?.({ endpoint, status: 'error', durationMs: performance.now() - started })
        throw new CfApiError(`${endpoint}: ${describeNetworkError(error, timeoutMs)}`, url)
      }
    })
  }

  /** One logical GET with retries, 429 waits and one re-login on 401. */
  const get = async (url: string, auth: boolean, timeoutMs: number): Promise<{ json: unknown; chars: number }> => {
    let failures = 0
    let rateLimitWaits = 0
    let relogged = false
    for (;;) {
      let headers: Record<string, string> = {}
      let token: string | undefined
      if (auth) {
        const s = await establish()
        token = await s.tokens.token()
        headers = { authorization: `bearer ${token}` }
      }
      let response: FetchResponse<unknown>
      try {
        response = await once(url, headers, timeoutMs)
      } catch (error) {
        if (failures++ < retries) {
          await sleep(backoff(failures))
          continue
        }
        throw error
      }
      const body = response._data as string | undefined
      if (response.status === 401 && auth && !relogged) {
        relogged = true
        ;(await establish()).tokens.invalidate(token)
        continue
      }
      if (response.status === 429) {
        const wait = rateLimitWait(response.headers, Date.now())
        if (wait <= maxRateLimitWaitMs && rateLimitWaits++ < maxRateLimitWaits) {
          await sleep(wait)
          continue
        }
      }
      if (response.status >= 500 && failures++ < retries) {
        await sleep(backoff(failures))
        continue
      }
      if (response.status !== 200) {
        throw new CfApiError(`${endpointOf(url)}: HTTP ${response.status} ${cfErrorText(body)}`.trim(), url, response.status)
      }
      try {
        return { json: JSON.parse(body ?? ''), chars: body?.length ?? 0 }
      } catch {
        throw new CfApiError(`${endpointOf(url)}: response is not JSON`, url, response.status)
      }
    }
  }

  /** Exponential backoff with full-range jitter: base × 2^(n-1) × [0.5, 1.5). */
  const backoff = (attempt: number) => backoffMs * 2 ** (attempt - 1) * (0.5 + random())

  const establish = () => {
    session ??= (async () => {
      const root = rootSchema.safeParse((await get(`${apiUrl}/`, false, defaultTimeoutMs)).json)
      if (!root.success) throw new CfApiError('API root: unexpected shape (is this a Cloud Foundry API?)', `${apiUrl}/`)
      const { links } = root.data
      const uaa = links.uaa?.href ?? links.login?.href
      if (!uaa) throw new CfApiError('API root: no uaa or login link', `${apiUrl}/`)
      return { v3: links.cloud_controller_v3?.href ?? `${apiUrl}/v3`, tokens: options.tokens(uaa) }
    })().catch((error) => {
      session = undefined // try the root again next time
      throw error
    })
    return session
  }

  /** A page, and whether it was large (then its text is garbage by now and has been collected). */
  const fetchPage = async (url: string, path: string, timeoutMs: number): Promise<Page & { large: boolean }> => {
    const { json, chars } = await get(url, true, timeoutMs)
    const large = chars >= (options.largeResponseChars ?? LARGE_RESPONSE_CHARS)
    if (large) options.collectGarbage?.()
    const page = pageSchema.safeParse(json)
    if (!page.success) throw new CfApiError(`${path}: unexpected page shape`, url)
    return { ...page.data, large }
  }

  /** Every page of a list, the first one telling where the others are. */
  const fetchAllPages = async (first: string, path: string, timeoutMs: number): Promise<Array<Page & { large: boolean }>> => {
    const pages: Array<Page & { large: boolean }> = [await fetchPage(first, path, timeoutMs)]
    const { total_pages: total, next } = pages[0]!.pagination
    if (next?.href && total !== undefined && total > 2 && /[?&]page=\d+/.test(next.href)) {
      // Every page's URL is known from the first: fetch the rest at once (bounded by `concurrency`).
      const urls = Array.from({ length: total - 1 }, (_, i) => next.href.replace(/([?&])page=\d+/, `$1page=${i + 2}`))
      pages.push(...(await Promise.all(urls.map((url) => fetchPage(url, path, timeoutMs)))))
    } else {
      for (let href = next?.href; href; href = pages[pages.length - 1]!.pagination.next?.href) pages.push(await fetchPage(href, path, timeoutMs))
    }
    return pages
  }

  /**
   * A list read without ever asking for a page beyond the first: an operator's
   * `renderer.max_total_results` refuses any page whose page × per_page exceeds it (400), however
   * small the pages. So the list is read oldest first (`order_by=created_at`), 500 at a time, each
   * request starting at the creation time of the last resource seen (`created_ats[gte]`, which the
   * overlap at that second is deduplicated from). A 400 to its first request is the query's own
   * (a bad filter), reported as it is.
   */
  const listByCreation = async (base: string, path: string, query: Record<string, QueryValue>, timeoutMs: number): Promise<Array<Page & { large: boolean }>> => {
    const pages: Array<Page & { large: boolean }> = []
    const seen = new Set<string>()
    let from: string | undefined
    for (;;) {
      const url = `${base}${queryString({ ...query, per_page: String(CAPPED_PER_PAGE), order_by: 'created_at', ...(from ? { 'created_ats[gte]': from } : {}) })}`
      const page = await fetchPage(url, path, timeoutMs)
      const fresh = page.resources.filter((r) => !seen.has((r as { guid?: string }).guid ?? ''))
      for (const r of fresh) seen.add((r as { guid?: string }).guid ?? '')
      pages.push({ ...page, resources: fresh })
      if (page.resources.length < CAPPED_PER_PAGE) return pages
      const last = (page.resources[page.resources.length - 1] as { created_at?: string }).created_at
      if (last === undefined || (last === from && fresh.length === 0)) {
        throw new CfApiError(`${path}: more than ${CAPPED_PER_PAGE} resources created in the same second; cannot be listed under renderer.max_total_results`, url)
      }
      from = last
    }
  }

  const listAll = async <T,>(path: string, query: Record<string, QueryValue>, schema: z.ZodType<T>, timeoutMs: number): Promise<ListResult<T>> => {
    const { v3 } = await establish()
    const base = `${v3.replace(/\/+$/, '')}${path.replace(/^\/v3/, '')}`
    const first = `${base}${queryString({ per_page: '5000', ...query })}`
    let pages: Array<Page & { large: boolean }>
    if (capped) pages = await listByCreation(base, path, query, timeoutMs)
    else {
      try {
        pages = await fetchAllPages(first, path, timeoutMs)
      } catch (error) {
        if (!(error instanceof CfApiError && error.status === 400)) throw error
        pages = await listByCreation(base, path, query, timeoutMs)
        // The foundation's cap does not change: every later list is read this way at once, and it is said once.
        if (!capped) options.onNote?.(`${path}: the Cloud Controller refused a page (${error.message}); lists are read by creation time from now on, ${CAPPED_PER_PAGE} at a time, as under renderer.max_total_results`)
        capped = true
      }
    }
    const resources: T[] = []
    const included: Record<string, unknown[]> = {}
    const pageCount = pages.length
    const large = pages.some((page) => page.large)
    // Each raw page is let go as soon as its resources are checked: only the fields the schema
    // keeps stay alive, not the whole parsed JSON of every page until the last one is done.
    for (let page = pages.shift(); page; page = pages.shift()) {
      for (const item of page.resources) {
        const parsed = schema.safeParse(item)
        if (!parsed.success) {
          const issue = parsed.error.issues[0]
          throw new CfApiError(`${path}: unexpected resource shape: ${issue?.path.join('.')} ${issue?.message}`, first)
        }
        resources.push(parsed.data)
      }
      for (const [kind, items] of Object.entries(page.included ?? {})) (included[kind] ??= []).push(...items)
    }
    // The parsed pages are garbage now; only the checked resources remain.
    if (large) options.collectGarbage?.()
    return { resources, included, pages: pageCount }
  }

  return {
    apiUrl,
    list<T>(path: string, query: Record<string, QueryValue>, schema: z.ZodType<T>, listOptions: ListOptions = {}): Promise<ListResult<T>> {
      const key = `${path}${queryString(query)}`
      const shared = sharedLists.get(key)
      if (shared) return shared as Promise<ListResult<T>>
      const run = listAll(path, query, schema, listOptions.timeoutMs ?? defaultTimeoutMs).finally(() => sharedLists.delete(key))
      sharedLists.set(key, run as Promise<ListResult<unknown>>)
      return run
    },
  }
}

/** Milliseconds to wait after a 429: `Retry-After` seconds, else `X-RateLimit-Reset` epoch seconds, else 1 s. */
export function rateLimitWait(headers: Headers, nowMs: number): number {
  const retryAfter = headers.get('retry-after')
  if (retryAfter && /^\d+$/.test(retryAfter.trim())) return Number(retryAfter) * 1000
  if (retryAfter) {
    const at = Date.parse(retryAfter)
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs)
  }
  const reset = Number(headers.get('x-ratelimit-reset'))
  if (reset > 0) return Math.max(0, reset * 1000 - nowMs)
  return 1000
}

function endpointOf(url: string): string {
  const path = new URL(url).pathname
  return path.replace(/\/[0-9a-f]{8}-[0-9a-f-]{27,}/gi, '/:guid') || '/'
}

function cfErrorText(body: string | undefined): string {
  try {
    const parsed = JSON.parse(body ?? '') as { errors?: { title?: string; detail?: string }[] }
    const first = parsed.errors?.[0]
    if (first) return `${first.title ?? ''} ${first.detail ?? ''}`.trim()
  } catch {
    // not a CF error body
  }
  return (body ?? '').slice(0, 200)
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (e.name === 'TimeoutError' || /timeout|aborted/i.test(e.message ?? '')) return `timed out after ${timeoutMs} ms`
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error)
}
