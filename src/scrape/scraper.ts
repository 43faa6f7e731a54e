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
import { acceptsProtobuf, formatOfContentType } from '../exposition/negotiate.ts'
import type { ScrapeTarget } from '../model/target.ts'
import { readBounded, readBoundedBytes, type BodyRead, type BytesRead } from './body.ts'
import { classifyNetworkError, type FailureReason } from './failures.ts'
import type { Authenticator, ScrapedBody, ScrapeLimits, ScrapeResult, Scraper } from './types.ts'

export interface ScraperOptions {
  fetch: typeof fetch
  /** HTTP forward proxy (`http://host:port`), passed as Bun's `proxy` fetch option. */
  proxyUrl?: string
  /** Whether targets on a platform's private network (`privateNetwork`) go through the proxy too. */
  proxyPrivateNetwork?: boolean
  /**
   * The fetch honours Bun's `decompress: false`: bodies arrive in their content coding and are
   * inflated by the scraper within `maxBodyBytes` (see scrape/body.ts). Without it the runtime
   * inflates them, and only the inflated bytes are bounded.
   */
  bodiesAsSent?: boolean
  connectionTimeoutMs: number
  socketReadTimeoutMs: number
  maxProcessingTimeMs: number
  /** Largest body kept (bytes, after decompression). */
  maxBodyBytes: number
  /** Redirects followed before giving up. */
  maxRedirects: number
  /** This process's id, sent as `X-Promregator-Instance` so a loop is detected. */
  instanceId: string
  authenticatorFor: (target: ScrapeTarget) => Authenticator
}

/**
 * OpenMetrics 1.0 first, then text; UTF-8 names allowed (quoted, as Prometheus 3 reads them): the
 * merge writes them quoted or escaped, as its own scraper asked, so the instance need not escape
 * them first. Clients that know no `escaping` take the ranges they know.
 */
export const SCRAPE_ACCEPT =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.9,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.6,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

/** One attempt's result plus the credentials it sent, so a 401 can name what was rejected. */
interface Attempt {
  result: ScrapeResult
  sentAuth: Record<string, string>
}

/** Creates a scraper. */
export function createScraper(options: ScraperOptions): Scraper {
  const { maxBodyBytes: maxBody, maxRedirects } = options

  const attempt = async (target: ScrapeTarget, auth: Authenticator, deadline: AbortSignal, span: Span, accept: string | undefined): Promise<Attempt> => {
    const { started } = span
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
    const wait = headersWait(deadline, options.connectionTimeoutMs + options.socketReadTimeoutMs, timeLeft(span))
    let headers = requestHeaders(options.instanceId, target.headers, sentAuth, accept)
    let url = target.url
    /** Every URL requested so far, normalised; made at the first redirect. */
    let visited: Set<string> | undefined
    let response: Response
    try {
      for (let redirects = 0; ; redirects++) {
        const init: RequestInit & { proxy?: string; decompress?: boolean } = { headers, redirect: 'manual', signal: wait.signal }
        if (options.bodiesAsSent) init.decompress = false
        if (options.proxyUrl && (!target.privateNetwork || options.proxyPrivateNetwork)) init.proxy = options.proxyUrl
        try {
          response = await options.fetch(url, init)
        } catch (error) {
          const [reason, message] = classifyNetworkError(error, deadline.aborted || wait.timedOut())
          return fail(reason, message)
        }
        const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null
        if (location === null) break
        await response.body?.cancel().catch(() => {})
        const current = new URL(url)
        visited ??= new Set([current.href])
        const next = new URL(location, current)
        if (visited.has(next.href)) return fail('redirects', `redirect loop: ${current.href} sends back to ${next.href}`, response.status)
        if (redirects >= maxRedirects) return fail('redirects', `more than ${maxRedirects} redirects (last to ${next.href})`, response.status)
        // Credentials and the target's own headers (e.g. an instance-routing header) belong to its host only.
        if (next.hostname !== current.hostname) headers = withoutKeys(headers, ['authorization', ...Object.keys(target.headers).map((k) => k.toLowerCase())])
        visited.add(next.href)
        url = next.href
      }
    } finally {
      wait.release()
    }
    if (response.status !== 200) return { result: await failedStatus(response, target, started, options, deadline), sentAuth }
    const contentType = response.headers.get('content-type') ?? undefined
    const format = formatOfContentType(contentType)
    if (format === 'unsupported' || (format === 'protobuf' && !acceptsProtobuf(accept))) {
      await response.body?.cancel().catch(() => {})
      return fail('content_type', `unsupported content type ${contentType} (expected text/plain or application/openmetrics-text)`, 200)
    }
    // A pause bound that cannot run out before the deadline needs no timer of its own.
    const idleMs = options.socketReadTimeoutMs < timeLeft(span) ? options.socketReadTimeoutMs : Infinity
    const read: BodyRead | BytesRead =
      format === 'protobuf'
        ? await readBoundedBytes(response, maxBody, idleMs, deadline, options.bodiesAsSent)
        : await readBounded(response, maxBody, idleMs, deadline, options.bodiesAsSent)
    switch (read.outcome) {
      case 'ok': {
        const body: ScrapedBody =
          'data' in read
            ? { format: 'protobuf', body: read.data }
            : { format: format === 'protobuf' ? 'text' : format, body: read.text, ...(read.invalidUtf8 ? { invalidUtf8: true } : {}) }
        return { result: { ok: true, target, ...body, contentType, durationMs: performance.now() - started, bytes: read.bytes }, sentAuth }
      }
      case 'too_large':
        return fail('body_too_large', `body larger than ${maxBody} bytes; dropped`, 200, read.bytes)
      case 'idle':
        return fail('timeout', `no body data for ${options.socketReadTimeoutMs} ms (after ${read.bytes} bytes)`, 200, read.bytes)
      case 'deadline':
        return fail('timeout', `scrape exceeded ${span.limitMs} ms (after ${read.bytes} bytes of body)`, 200, read.bytes)
      case 'error':
        return fail('network', `body read failed after ${read.bytes} bytes: ${read.error}`, 200, read.bytes)
    }
  }

  /** Milliseconds until the scrape's deadline. */
  const timeLeft = (span: Span): number => span.limitMs - (performance.now() - span.started)

  return {
    async scrape(target, signal, limits) {
      // An instance the platform reports as not running is not contacted.
      if (target.down !== undefined) return { ok: false, target, reason: 'instance_down', message: target.down, durationMs: 0, bytes: 0 }
      // The deadline: maxProcessingTime, or a shorter bound of the caller (the scraper's own
      // scrape timeout), or the caller giving up (its client went away), whichever comes first.
      const started = performance.now()
      const limitMs = Math.max(0, Math.min(options.maxProcessingTimeMs, (limits?.deadline ?? Infinity) - started))
      const span: Span = { started, limitMs }
      const deadline = new AbortController()
      const timer = setTimeout(() => deadline.abort(new DOMException(`scrape exceeded ${limitMs} ms`, 'TimeoutError')), limitMs)
      const unfollow = signal ? follow(signal, deadline) : undefined
      try {
        const auth = options.authenticatorFor(target)
        const first = await attempt(target, auth, deadline.signal, span, limits?.accept)
        // One fresh credential and one retry when the target rejects what we sent.
        if (!first.result.ok && first.result.reason === 'unauthorized' && !deadline.signal.aborted && auth.rejected?.(first.sentAuth)) {
          return (await attempt(target, auth, deadline.signal, span, limits?.accept)).result
        }
        return first.result
      } finally {
        clearTimeout(timer)
        unfollow?.()
      }
    },
  }
}

/** When one scrape started and how long it may take (ms). */
interface Span {
  started: number
  limitMs: number
}

/** Deadlines following each caller signal; see {@link follow}. */
const followers = new WeakMap<AbortSignal, Set<AbortController>>()

/**
 * Makes `deadline` abort when the caller's `signal` does. `/metrics` passes its request's signal to
 * a thousand scrapes: one listener per signal fanning out to the scrapes in flight keeps that
 * signal from collecting a listener per scrape. Returns the function that stops following.
 */
function follow(signal: AbortSignal, deadline: AbortController): () => void {
  if (signal.aborted) {
    deadline.abort(signal.reason)
    return () => {}
  }
  let scrapes = followers.get(signal)
  if (scrapes === undefined) {
    const following = new Set<AbortController>()
    signal.addEventListener('abort', () => following.forEach((d) => d.abort(signal.reason)), { once: true })
    followers.set(signal, following)
    scrapes = following
  }
  scrapes.add(deadline)
  const following = scrapes
  return () => void following.delete(deadline)
}

/** The signal of one request: the deadline, plus a bound on the wait for response headers. */
interface HeadersWait {
  signal: AbortSignal
  /** True when the headers bound (not the deadline) ended the wait. */
  timedOut(): boolean
  /** Disarms the headers bound once headers are in: the body has bounds of its own. */
  release(): void
}

/**
 * The deadline alone when the headers bound could not run out first (the default: connection +
 * read timeout exceed the processing time); otherwise one controller fed by both, which is far
 * cheaper than AbortSignal.any/AbortSignal.timeout that `/metrics` would pay a thousand times.
 */
function headersWait(deadline: AbortSignal, boundMs: number, leftMs: number): HeadersWait {
  if (boundMs >= leftMs) return { signal: deadline, timedOut: () => false, release: () => {} }
  const request = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    request.abort(new DOMException('no response headers in time', 'TimeoutError'))
  }, boundMs)
  const onDeadline = (): void => request.abort(deadline.reason)
  deadline.addEventListener('abort', onDeadline, { once: true })
  return {
    signal: request.signal,
    timedOut: () => timedOut,
    release: () => {
      clearTimeout(timer)
      // The deadline must still end the body: the listener stays until the scrape (and its deadline) is over.
    },
  }
}

/** A non-200 answer: the router's `unknown_route`, 401/403 from the app, our own loop guard, or any other status. */
async function failedStatus(response: Response, target: ScrapeTarget, started: number, options: ScraperOptions, deadline: AbortSignal): Promise<ScrapeResult> {
  const routerError = response.headers.get('x-cf-routererror')
  const read = await readBounded(response, 4096, options.socketReadTimeoutMs, deadline, options.bodiesAsSent)
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

/** The headers of a scrape: ours, then the target's (e.g. an instance-routing header), then the credentials; names lower-cased. */
function requestHeaders(instanceId: string, targetHeaders: Record<string, string>, auth: Record<string, string>, accept: ScrapeLimits['accept']): Record<string, string> {
  const headers: Record<string, string> = {
    accept: accept ?? SCRAPE_ACCEPT,
    'accept-encoding': 'gzip',
    'user-agent': 'promregator-ts',
    'x-promregator-instance': instanceId,
  }
  for (const name in targetHeaders) headers[name.toLowerCase()] = targetHeaders[name]!
  for (const name in auth) headers[name.toLowerCase()] = auth[name]!
  return headers
}

function withoutKeys(headers: Record<string, string>, drop: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop.includes(k)))
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 200)
}
