/**
 * @module cf/client
 * A small Cloud Controller v3 client: endpoint discovery from the API root, bearer tokens from
 * UAA, pagination to the end, one re-login on 401, retries with backoff and jitter on network
 * errors and 5xx, and waiting out 429s. Responses are validated with zod by the caller's schema.
 */
import { createFetch, type FetchResponse } from 'ofetch'
import { z } from 'zod'
import { paginationSchema, rootSchema } from './types.ts'
import type { TokenProvider } from './uaa.ts'

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

export interface CfRequestEvent {
  /** Path without query or ids, e.g. `/v3/apps`. */
  endpoint: string
  status: number | 'error'
  durationMs: number
}

export interface CfClientOptions {
  apiUrl: string
  fetch: typeof fetch
  /** Called once the root is read, to build the token provider from the UAA URL. */
  tokens: (uaaUrl: string) => TokenProvider
  timeoutMs?: number
  /** Retries after the first attempt for network errors and 5xx. */
  retries?: number
  backoffMs?: number
  /** Longest wait honoured for a 429 before giving up on this request. */
  maxRateLimitWaitMs?: number
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  onRequest?: (event: CfRequestEvent) => void
  /** Extra fetch options (e.g. Bun's `tls` for skipSslValidation). */
  fetchOptions?: Record<string, unknown>
}

export interface ListResult<T> {
  resources: T[]
  included: Record<string, unknown[]>
  pages: number
}

export interface CfClient {
  readonly apiUrl: string
  /** Lists every resource of a collection, following `pagination.next.href` to the end. */
  list<T>(path: string, query: Record<string, string>, schema: z.ZodType<T>): Promise<ListResult<T>>
}

const pageSchema = z.object({
  pagination: paginationSchema,
  resources: z.array(z.unknown()),
  included: z.record(z.string(), z.array(z.unknown())).optional(),
})

/** Creates a client; nothing is requested until the first call. */
export function createCfClient(options: CfClientOptions): CfClient {
  const apiUrl = apiBaseUrl(options.apiUrl)
  const $fetch = createFetch({ fetch: options.fetch })
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const random = options.random ?? Math.random
  const retries = options.retries ?? 2
  const backoffMs = options.backoffMs ?? 500
  const maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 60_000
  let session: Promise<{ v3: string; tokens: TokenProvider }> | undefined

  const once = async (url: string, headers: Record<string, string>): Promise<FetchResponse<unknown>> => {
    const started = performance.now()
    const endpoint = endpointOf(url)
    try {
      const response = await $fetch.raw(url, {
        headers: { accept: 'application/json', ...headers },
        retry: false,
        timeout: options.timeoutMs ?? 5000,
        ignoreResponseError: true,
        responseType: 'text',
        ...options.fetchOptions,
      })
      options.onRequest?.({ endpoint, status: response.status, durationMs: performance.now() - started })
      return response
    } catch (error) {
      options.onRequest?.({ endpoint, status: 'error', durationMs: performance.now() - started })
      throw new CfApiError(`${endpoint}: ${describeNetworkError(error)}`, url)
    }
  }

  /** One logical GET with retries, 429 waits and one re-login on 401. */
  const get = async (url: string, auth: boolean): Promise<unknown> => {
    let attempt = 0
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
        response = await once(url, headers)
      } catch (error) {
        if (attempt++ < retries) {
          await sleep(backoff(attempt))
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
        if (wait <= maxRateLimitWaitMs && attempt++ <= retries + 3) {
          await sleep(wait)
          continue
        }
      }
      if (response.status >= 500 && attempt++ < retries) {
        await sleep(backoff(attempt))
        continue
      }
      if (response.status !== 200) {
        throw new CfApiError(`${endpointOf(url)}: HTTP ${response.status} ${cfErrorText(body)}`.trim(), url, response.status)
      }
      try {
        return JSON.parse(body ?? '')
      } catch {
        throw new CfApiError(`${endpointOf(url)}: response is not JSON`, url, response.status)
      }
    }
  }

  const backoff = (attempt: number) => backoffMs * 2 ** (attempt - 1) * (0.5 + random())

  const establish = () => {
    session ??= (async () => {
      const root = rootSchema.safeParse(await get(`${apiUrl}/`, false))
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

  return {
    apiUrl,
    async list<T>(path: string, query: Record<string, string>, schema: z.ZodType<T>): Promise<ListResult<T>> {
      const { v3 } = await establish()
      const url = new URL(`${v3.replace(/\/+$/, '')}${path.replace(/^\/v3/, '')}`)
      for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value)
      if (!url.searchParams.has('per_page')) url.searchParams.set('per_page', '5000')
      const resources: T[] = []
      const included: Record<string, unknown[]> = {}
      let next: string | undefined = url.toString()
      let pages = 0
      while (next) {
        const page = pageSchema.safeParse(await get(next, true))
        if (!page.success) throw new CfApiError(`${path}: unexpected page shape`, next)
        pages++
        for (const item of page.data.resources) {
          const parsed = schema.safeParse(item)
          if (!parsed.success) {
            throw new CfApiError(`${path}: unexpected resource shape: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`, next)
          }
          resources.push(parsed.data)
        }
        for (const [kind, items] of Object.entries(page.data.included ?? {})) (included[kind] ??= []).push(...items)
        next = page.data.pagination.next?.href ?? undefined
      }
      return { resources, included, pages }
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

function describeNetworkError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (e.name === 'TimeoutError' || /timeout/i.test(e.message ?? '')) return 'timed out'
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error)
}
