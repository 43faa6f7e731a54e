/**
 * @module oauth/token-source
 * The one OAuth2 token source of the process: the Cloud Foundry login (UAA) and the target
 * authenticators use it alike, each with its grant. A token is cached and renewed shortly before
 * it expires (a margin before the end, never in its first half); however many callers wait, one
 * request is in flight; a refresh token that is refused falls back to the grant's first request;
 * after a failure, callers may get the same error for a while instead of a new request each
 * (scrapes of hundreds of instances must not hammer a failing token service); a peer's 401 buys
 * one fresh token unless the token is brand new. Every token is told to `onToken` before anyone
 * can log it.
 */
import { z } from 'zod'
import { clientAuthorization, oauthErrorText, safeJson } from './basic.ts'
import type { Grant, TlsClientOptions, TlsFetch, TokenSource } from './types.ts'

export interface TokenSourceOptions {
  /** The token endpoint (a URL without a path gets `/oauth/token`, see {@link tokenEndpoint}). */
  tokenUrl: string
  grant: Grant
  fetch: TlsFetch
  /** Names the service in messages (`UAA`); default `token service <url>`. */
  label?: string
  now?: () => number
  /** Renew this long before expiry (ms), but never in the first half of the lifetime; default 30 s. */
  renewBeforeMs?: number
  /** Lifetime assumed when the answer does not say (s); default 300. */
  defaultLifetimeS?: number
  /** After a failed request, callers get the same error for this long (ms) instead of a new request; default 0. */
  failureHoldMs?: number
  /** A token younger than this (ms) is not dropped when a peer rejects it; default 0. */
  minAgeForRenewalMs?: number
  /** Upper bound of one token request (ms); default 10 s. */
  requestTimeoutMs?: number
  /** Told every access and refresh token as it arrives (for the secret registry). */
  onToken?: (token: string) => void
  /** Every token request with its grant type and outcome (for the own metrics). */
  onRequest?: (grantType: string, outcome: 'ok' | 'error') => void
}

/** The token service could not be reached, refused the grant, or answered something else. */
export class TokenRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message)
    this.name = 'TokenRequestError'
  }
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  refresh_token: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
})

/** When to renew a token that lives `lifetimeMs`: `marginMs` before it expires, but never in its first half. */
export function renewalDelayMs(lifetimeMs: number, marginMs = 30_000): number {
  return Math.max(lifetimeMs - marginMs, lifetimeMs / 2)
}

/** `https://host` → `https://host/oauth/token`; a URL with a path is the endpoint itself. */
export function tokenEndpoint(url: string): string {
  const parsed = new URL(url)
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/oauth/token'
  return parsed.toString()
}

interface Cached {
  value: string
  issuedAt: number
  renewAt: number
  refreshToken?: string
}

/** Creates a caching, single-flight token source; nothing is requested until the first `token()`. */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const now = options.now ?? Date.now
  const url = tokenEndpoint(options.tokenUrl)
  const label = options.label ?? `token service ${url}`
  const unreachable = `${options.label ?? 'token service'} ${url} unreachable`
  const holdMs = options.failureHoldMs ?? 0
  const minAgeMs = options.minAgeForRenewalMs ?? 0
  let cached: Cached | undefined
  let inFlight: Promise<string> | undefined
  let lastFailure: { error: TokenRequestError; at: number } | undefined

  const request = async (refreshToken: string | undefined): Promise<string> => {
    const wanted = options.grant.request(refreshToken)
    const body = new URLSearchParams({ grant_type: wanted.grantType, ...wanted.form })
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
    const init: RequestInit & { tls?: TlsClientOptions } = { method: 'POST', headers, body, signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000) }
    let clientAuth: string
    if ('certificate' in wanted.client) {
      // With mTLS the certificate authenticates the client; its id travels in the form.
      body.set('client_id', wanted.client.id)
      init.tls = { cert: wanted.client.certificate.cert, key: wanted.client.certificate.key }
      clientAuth = 'client certificate'
    } else {
      headers.authorization = clientAuthorization(wanted.client.id, wanted.client.secret)
      clientAuth = 'client secret'
    }
    const started = now()
    let response: Response
    try {
      response = await options.fetch(url, init)
    } catch (error) {
      options.onRequest?.(wanted.grantType, 'error')
      const cause = (error as { cause?: { message?: string } }).cause?.message
      throw new TokenRequestError(`${unreachable} (${clientAuth}): ${cause ?? (error as Error).message}`)
    }
    const text = await response.text()
    if (!response.ok) {
      options.onRequest?.(wanted.grantType, 'error')
      // An expired or revoked refresh token: start over with the grant's first request.
      if (refreshToken !== undefined) return request(undefined)
      throw new TokenRequestError(`${label} refused the ${options.grant.description} (HTTP ${response.status}): ${oauthErrorText(text)}`, response.status)
    }
    const parsed = tokenResponse.safeParse(safeJson(text))
    if (!parsed.success) {
      options.onRequest?.(wanted.grantType, 'error')
      throw new TokenRequestError(`${label} answered the ${options.grant.description} without an access_token`, response.status)
    }
    options.onRequest?.(wanted.grantType, 'ok')
    const { access_token: value, refresh_token: refresh, expires_in: lifetimeS } = parsed.data
    options.onToken?.(value)
    if (refresh) options.onToken?.(refresh)
    const lifetimeMs = (lifetimeS ?? options.defaultLifetimeS ?? 300) * 1000
    cached = { value, issuedAt: started, renewAt: started + renewalDelayMs(lifetimeMs, options.renewBeforeMs), refreshToken: refresh }
    return value
  }

  return {
    token() {
      if (cached && now() < cached.renewAt) return Promise.resolve(cached.value)
      if (lastFailure && now() - lastFailure.at < holdMs) return Promise.reject(lastFailure.error)
      inFlight ??= request(cached?.refreshToken)
        .then(
          (value) => {
            lastFailure = undefined
            return value
          },
          (error: TokenRequestError) => {
            lastFailure = { error, at: now() }
            throw error
          },
        )
        .finally(() => {
          inFlight = undefined
        })
      return inFlight
    },
    invalidate(token) {
      if (!cached) return true
      // A peer already replaced the token: asking again picks up the newer one.
      if (token !== undefined && cached.value !== token) return true
      if (now() - cached.issuedAt < minAgeMs) return false
      // Expired, but the refresh token (if any) is kept for the next request.
      cached = { ...cached, renewAt: 0 }
      return true
    },
  }
}
