/**
 * @module scrape/scraper
 * Fetches the metrics of one instance with bounded time and memory and tells failures apart.
 * Never throws: every outcome is a {@link ScrapeResult}.
 */
import { formatOfContentType } from '../exposition/negotiate.ts'
import type { Format } from '../exposition/types.ts'
import type { ScrapeTarget } from '../routing/classify.ts'
import type { Authenticator } from './auth.ts'

/** Why a scrape failed; the `reason` label of `promregator_scrape_errors_total`. */
export type FailureReason =
  | 'timeout'
  | 'connection_refused'
  | 'dns'
  | 'tls'
  | 'network'
  | 'unknown_route'
  | 'unauthorized'
  | 'forbidden'
  | 'http_status'
  | 'content_type'
  | 'body_too_large'
  | 'auth'
  | 'loop'

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
  maxBodyBytes?: number
  /** This process's id, sent as `X-Promregator-Instance` so a loop is detected. */
  instanceId: string
  authenticatorFor: (target: ScrapeTarget) => Authenticator
}

export interface Scraper {
  scrape(target: ScrapeTarget, signal?: AbortSignal): Promise<ScrapeResult>
}

/** OpenMetrics 1.0 first, text 0.0.4 second. */
export const SCRAPE_ACCEPT = 'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'

/** Creates a scraper. */
export function createScraper(options: ScraperOptions): Scraper {
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024

  const attempt = async (target: ScrapeTarget, auth: Authenticator, deadline: AbortSignal, started: number): Promise<ScrapeResult> => {
    const elapsed = () => performance.now() - started
    const fail = (reason: FailureReason, message: string, status?: number, bytes = 0): ScrapeResult => ({
      ok: false,
      target,
      reason,
      message,
      status,
      durationMs: elapsed(),
      bytes,
    })
    let authHeaders: Record<string, string>
    try {
      authHeaders = await auth.headers()
    } catch (error) {
      return fail('auth', `authenticator failed: ${(error as Error).message}`)
    }
    const headersTimeout = AbortSignal.timeout(options.connectionTimeoutMs + options.socketReadTimeoutMs)
    const init: RequestInit & { proxy?: string } = {
      headers: {
        accept: SCRAPE_ACCEPT,
        'accept-encoding': 'gzip',
        'user-agent': 'promregator-ts',
        'x-promregator-instance': options.instanceId,
        ...target.headers,
        ...authHeaders,
      },
      redirect: 'follow',
      signal: AbortSignal.any([deadline, headersTimeout]),
    }
    if (options.proxyUrl) init.proxy = options.proxyUrl
    let response: Response
    try {
      response = await options.fetch(target.url, init)
    } catch (error) {
      const [reason, message] = classifyNetworkError(error, deadline.aborted || headersTimeout.aborted)
      return fail(reason, message)
    }
    if (response.status !== 200) {
      const routerError = response.headers.get('x-cf-routererror')
      const text = (await readLimited(response, 4096, options.socketReadTimeoutMs, deadline)).text
      if (routerError === 'unknown_route') return fail('unknown_route', `router: instance not routable (${firstLine(text)})`, response.status)
      if (response.status === 401) return fail('unauthorized', 'target answered 401 Unauthorized', 401)
      if (response.status === 403) return fail('forbidden', 'target answered 403 Forbidden', 403)
      return fail('http_status', `target answered HTTP ${response.status}${routerError ? ` (${routerError})` : ''}`, response.status)
    }
    const format = formatOfContentType(response.headers.get('content-type'))
    if (format === 'unsupported') {
      await response.body?.cancel().catch(() => {})
      return fail('content_type', `unsupported content type ${response.headers.get('content-type')}`, 200)
    }
    const read = await readLimited(response, maxBody, options.socketReadTimeoutMs, deadline)
    if (read.outcome === 'too_large') return fail('body_too_large', `body larger than ${maxBody} bytes`, 200, read.bytes)
    if (read.outcome === 'timeout') return fail('timeout', 'timed out reading the body', 200, read.bytes)
    if (read.outcome === 'error') return fail('network', `body read failed: ${read.error}`, 200, read.bytes)
    return { ok: true, target, body: read.text, format, durationMs: elapsed(), bytes: read.bytes }
  }

  return {
    async scrape(target, signal) {
      const started = performance.now()
      const deadlineSignals = [AbortSignal.timeout(options.maxProcessingTimeMs)]
      if (signal) deadlineSignals.push(signal)
      const deadline = AbortSignal.any(deadlineSignals)
      const auth = options.authenticatorFor(target)
      const result = await attempt(target, auth, deadline, started)
      // One fresh credential and one retry when the target rejects what we sent.
      if (!result.ok && result.reason === 'unauthorized' && auth.rejected?.() && !deadline.aborted) {
        return attempt(target, auth, deadline, started)
      }
      return result
    },
  }
}

type ReadOutcome = { outcome: 'ok' | 'too_large' | 'timeout' | 'error'; text: string; bytes: number; error?: string }

/** Reads a body up to `limit` bytes, giving up when a chunk takes longer than `idleMs`. */
async function readLimited(response: Response, limit: number, idleMs: number, deadline: AbortSignal): Promise<ReadOutcome> {
  if (!response.body) return { outcome: 'ok', text: '', bytes: 0 }
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let bytes = 0
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined
    const idle = new Promise<'idle'>((resolve) => {
      timer = setTimeout(() => resolve('idle'), idleMs)
    })
    const aborted = new Promise<'idle'>((resolve) => {
      if (deadline.aborted) resolve('idle')
      deadline.addEventListener('abort', () => resolve('idle'), { once: true })
    })
    let chunk: ReadableStreamReadResult<Uint8Array> | 'idle'
    try {
      chunk = await Promise.race([reader.read(), idle, aborted])
    } catch (error) {
      clearTimeout(timer)
      return { outcome: deadline.aborted ? 'timeout' : 'error', text, bytes, error: (error as Error).message }
    } finally {
      clearTimeout(timer)
    }
    if (chunk === 'idle') {
      reader.cancel().catch(() => {})
      return { outcome: 'timeout', text, bytes }
    }
    if (chunk.done) return { outcome: 'ok', text: text + decoder.decode(), bytes }
    bytes += chunk.value.byteLength
    if (bytes > limit) {
      reader.cancel().catch(() => {})
      return { outcome: 'too_large', text: '', bytes }
    }
    text += decoder.decode(chunk.value, { stream: true })
  }
}

/** Maps fetch errors of Node (undici) and Bun to a reason. */
export function classifyNetworkError(error: unknown, timedOut: boolean): [FailureReason, string] {
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } }
  const code = String(e.cause?.code ?? e.code ?? '')
  const message = e.cause?.message ?? e.message ?? String(error)
  if (timedOut || e.name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return ['timeout', 'timed out waiting for the target']
  }
  if (code === 'ECONNREFUSED' || code === 'ConnectionRefused') return ['connection_refused', `connection refused: ${message}`]
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'DNSException' || /getaddrinfo|DNS/i.test(message)) {
    return ['dns', `name not resolved: ${message}`]
  }
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code) || /certificate|tls|ssl/i.test(message)) return ['tls', `TLS error: ${message}`]
  return ['network', `${code ? `${code}: ` : ''}${message}`]
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 200)
}
