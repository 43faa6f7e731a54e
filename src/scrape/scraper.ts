/**
 * @module scrape/scraper
 * Fetches the metrics of one instance with bounded time and memory and tells failures apart.
 * Never throws: every outcome is a {@link ScrapeResult}.
 *
 * Time: `connectionTimeout + socketReadTimeout` until the response headers, `socketReadTimeout`
 * as the longest pause between two body chunks, `maxProcessingTime` for the whole scrape.
 * Memory: at most `maxBodyBytes` (after decompression) are kept. Redirects are followed by hand,
 * at most `maxRedirects`, so loops end early and credentials never leave the target's host.
 */
import { formatOfContentType } from '../exposition/negotiate.ts'
import type { Format } from '../exposition/types.ts'
import type { ScrapeTarget } from '../routing/classify.ts'
import type { Authenticator } from './auth.ts'
import { readBounded } from './body.ts'
import { classifyNetworkError, type FailureReason } from './failures.ts'
import { DEFAULT_MAX_REDIRECTS, DEFAULT_MAX_RESPONSE_BYTES } from './limits.ts'

export { classifyNetworkError, failureLogLevel, type FailureReason } from './failures.ts'

export type ScrapeResult =
  | { ok: true; target: ScrapeTarget; body: string; format: Format; durationMs: number; bytes: number }
  | { ok: false; target: ScrapeTarget; reason: FailureReason; message: string; status?: number; durationMs: number; bytes: number }

export interface ScraperOptions {
  fetch: typeof fetch
  /** HTTP forward proxy (`http://host:port`), passed as Bun's `proxy` fetch option. */
  proxyUrl?: string
  connectionTimeoutMs: number
  socketReadTimeoutMs: number
  maxProcessingTimeMs: number
  /** Largest body kept (bytes, after decompression); default 16 MiB. */
  maxBodyBytes?: number
  /** Redirects followed before giving up; default 5. */
  maxRedirects?: number
  /** This process's id, sent as `X-Promregator-Instance` so a loop is detected. */
  instanceId: string
  authenticatorFor: (target: ScrapeTarget) => Authenticator
}

export interface Scraper {
  scrape(target: ScrapeTarget, signal?: AbortSignal): Promise<ScrapeResult>
}

/** OpenMetrics 1.0 first, text 0.0.4 second. */
export const SCRAPE_ACCEPT = 'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
/** Headers that belong to the target's host only and are dropped when a redirect leaves it. */
const HOST_BOUND_HEADERS = ['authorization', 'x-cf-app-instance']

/** One attempt's result plus the credentials it sent, so a 401 can name what was rejected. */
interface Attempt {
  result: ScrapeResult
  sentAuth: Record<string, string>
}

/** Creates a scraper. */
export function createScraper(options: ScraperOptions): Scraper {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_RESPONSE_BYTES
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS

  const attempt = async (target: ScrapeTarget, auth: Authenticator, deadline: AbortSignal, started: number): Promise<Attempt> => {
    let sentAuth: Record<string, string> = {}
    const fail = (reason: FailureReason, message: string, status?: number, bytes = 0): Attempt => ({
      result: { ok: false, target, reason, message, status, durationMs: performance.now() - started, bytes },
      sentAuth,
    })
    try {
      sentAuth = await auth.headers()
    } catch (error) {
      return fail('auth', `authenticator failed: ${(error as Error).message}`)
    }
    // Bounds the wait for headers only: the body has its own bounds, so this must not stay armed.
    const headersTimeout = new AbortController()
    const headersTimer = setTimeout(() => headersTimeout.abort(), options.connectionTimeoutMs + options.socketReadTimeoutMs)
    const signal = AbortSignal.any([deadline, headersTimeout.signal])
    let headers: Record<string, string> = {
      accept: SCRAPE_ACCEPT,
      'accept-encoding': 'gzip',
      'user-agent': 'promregator-ts',
      'x-promregator-instance': options.instanceId,
      ...lowerCaseKeys(target.headers),
      ...lowerCaseKeys(sentAuth),
    }
    let url = new URL(target.url)
    const visited = new Set([url.href])
    let response: Response
    try {
      for (let redirects = 0; ; redirects++) {
        const init: RequestInit & { proxy?: string } = { headers, redirect: 'manual', signal }
        if (options.proxyUrl) init.proxy = options.proxyUrl
        try {
          response = await options.fetch(url.href, init)
        } catch (error) {
          const [reason, message] = classifyNetworkError(error, deadline.aborted || headersTimeout.signal.aborted)
          return fail(reason, message)
        }
        const location = response.headers.get('location')
        if (!REDIRECT_STATUSES.has(response.status) || location === null) break
        await response.body?.cancel().catch(() => {})
        const next = new URL(location, url)
        if (visited.has(next.href)) return fail('redirects', `redirect loop: ${url.href} sends back to ${next.href}`, response.status)
        if (redirects >= maxRedirects) return fail('redirects', `more than ${maxRedirects} redirects (last to ${next.href})`, response.status)
        if (next.hostname !== url.hostname) headers = withoutKeys(headers, HOST_BOUND_HEADERS)
        visited.add(next.href)
        url = next
      }
    } finally {
      clearTimeout(headersTimer)
    }
    if (response.status !== 200) return { result: await failedStatus(response, target, started, options, deadline), sentAuth }
    const contentType = response.headers.get('content-type')
    const format = formatOfContentType(contentType)
    if (format === 'unsupported') {
      await response.body?.cancel().catch(() => {})
      return fail('content_type', `unsupported content type ${contentType} (expected text/plain or application/openmetrics-text)`, 200)
    }
    const read = await readBounded(response, maxBody, options.socketReadTimeoutMs, deadline)
    switch (read.outcome) {
      case 'ok':
        return { result: { ok: true, target, body: read.text, format, durationMs: performance.now() - started, bytes: read.bytes }, sentAuth }
      case 'too_large':
        return fail('body_too_large', `body larger than ${maxBody} bytes; dropped`, 200, read.bytes)
      case 'idle':
        return fail('timeout', `no body data for ${options.socketReadTimeoutMs} ms (after ${read.bytes} bytes)`, 200, read.bytes)
      case 'deadline':
        return fail('timeout', `scrape exceeded ${options.maxProcessingTimeMs} ms (after ${read.bytes} bytes of body)`, 200, read.bytes)
      case 'error':
        return fail('network', `body read failed after ${read.bytes} bytes: ${read.error}`, 200, read.bytes)
    }
  }

  return {
    async scrape(target, signal) {
      const started = performance.now()
      const deadlineSignals = [AbortSignal.timeout(options.maxProcessingTimeMs)]
      if (signal) deadlineSignals.push(signal)
      const deadline = AbortSignal.any(deadlineSignals)
      const auth = options.authenticatorFor(target)
      const first = await attempt(target, auth, deadline, started)
      // One fresh credential and one retry when the target rejects what we sent.
      if (!first.result.ok && first.result.reason === 'unauthorized' && !deadline.aborted && auth.rejected?.(first.sentAuth)) {
        return (await attempt(target, auth, deadline, started)).result
      }
      return first.result
    },
  }
}

/** A non-200 answer: the router's `unknown_route`, 401/403 from the app, our own loop guard, or any other status. */
async function failedStatus(response: Response, target: ScrapeTarget, started: number, options: ScraperOptions, deadline: AbortSignal): Promise<ScrapeResult> {
  const routerError = response.headers.get('x-cf-routererror')
  const read = await readBounded(response, 4096, options.socketReadTimeoutMs, deadline)
  const excerpt = read.outcome === 'ok' ? firstLine(read.text) : ''
  const status = response.status
  const fail = (reason: FailureReason, message: string): ScrapeResult => ({
    ok: false,
    target,
    reason,
    message,
    status,
    durationMs: performance.now() - started,
    bytes: read.bytes,
  })
  if (routerError === 'unknown_route') return fail('unknown_route', `router: instance not routable, probably gone (${excerpt})`)
  if (status === 401) return fail('unauthorized', 'target answered 401 Unauthorized')
  if (status === 403) return fail('forbidden', 'target answered 403 Forbidden')
  if (status === 508) return fail('loop', `target answered 508: the scrape came back to a Promregator (${excerpt})`)
  return fail('http_status', `target answered HTTP ${status}${routerError ? ` (router: ${routerError})` : ''}${excerpt ? `: ${excerpt}` : ''}`)
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
}

function withoutKeys(headers: Record<string, string>, drop: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop.includes(k)))
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 200)
}
