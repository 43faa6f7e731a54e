/**
 * @module scrape/oauth2
 * The OAuth2 client-credentials authenticator of `OAuth2XSUAABasic` (client secret in a Basic
 * header) and `OAuth2XSUAACertificate` (client certificate sent as mTLS). The token is cached until
 * shortly before it expires, concurrent scrapes share one token request, a 401 from a target buys
 * one fresh token, and a failing token service is not asked again for every instance.
 */
import { z } from 'zod'
import { basicAuthorization, oauthErrorText as oauthError, safeJson } from '../oauth.ts'
import type { Authenticator } from './auth.ts'

/** Client certificate and key (PEM), and optionally the CA that signed the token service's certificate. */
export interface TlsClientOptions {
  cert?: string
  key?: string
  ca?: string
  rejectUnauthorized?: boolean
}

/**
 * A fetch that understands the `tls` option as Bun's does. Under Bun the global fetch is one; a
 * Node host passes an adapter (e.g. undici with `Agent({ connect: tls })`).
 */
export type TlsFetch = (input: string | URL | Request, init?: RequestInit & { tls?: TlsClientOptions }) => Promise<Response>

export interface ClientCredentialsOptions {
  /** The token endpoint; a URL without a path gets `/oauth/token`. */
  tokenUrl: string
  clientId: string
  /** Sent in a Basic header (`OAuth2XSUAABasic`). */
  clientSecret?: string
  /** Sent as mTLS client certificate (`OAuth2XSUAACertificate`). */
  clientCertificate?: { cert: string; key: string }
  /** Scopes separated by commas or blanks, as the original accepts them. */
  scopes?: string
  fetch: TlsFetch
  now?: () => number
  /** Told each new token as it arrives (for the secret registry). */
  onToken?: (token: string) => void
  /** Upper bound of one token request (ms). */
  requestTimeoutMs?: number
  /** After a failed token request, scrapes get the same error for this long (ms) instead of a new request. */
  failureHoldMs?: number
  /** A token younger than this (ms) is not renewed when a target rejects it: a new one would fare no better. */
  minAgeForRenewalMs?: number
}

/** The token service could not be reached or refused the grant. */
export class TokenServiceError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message)
    this.name = 'TokenServiceError'
  }
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
})

/** Lifetime assumed when the token service does not say (seconds). */
const DEFAULT_LIFETIME_S = 300

/**
 * When to renew a token that lives `lifetimeMs`: 30 s before it expires, but never in its first
 * half (the rule of the original's own token cache before 0.10).
 */
export function renewalDelayMs(lifetimeMs: number): number {
  return Math.max(lifetimeMs - 30_000, lifetimeMs / 2)
}

/** `https://host` → `https://host/oauth/token`; a URL with a path is the endpoint itself. */
export function tokenEndpoint(url: string): string {
  const parsed = new URL(url)
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/oauth/token'
  return parsed.toString()
}

/** Creates an authenticator that sends `Authorization: Bearer <token>` from a client-credentials grant. */
export function clientCredentialsAuthenticator(options: ClientCredentialsOptions): Authenticator {
  const now = options.now ?? Date.now
  const url = tokenEndpoint(options.tokenUrl)
  const holdMs = options.failureHoldMs ?? 5_000
  const minAgeMs = options.minAgeForRenewalMs ?? 5_000
  const mode = options.clientCertificate ? 'client certificate' : 'client secret'
  let cached: { value: string; issuedAt: number; renewAt: number } | undefined
  let inFlight: Promise<string> | undefined
  let lastFailure: { error: TokenServiceError; at: number } | undefined

  const requestToken = async (): Promise<string> => {
    const body = new URLSearchParams({ grant_type: 'client_credentials' })
    const scope = options.scopes?.split(/[\s,]+/).filter(Boolean).join(' ')
    if (scope) body.set('scope', scope)
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
    const init: RequestInit & { tls?: TlsClientOptions } = {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
    }
    if (options.clientCertificate) {
      // with mTLS the certificate authenticates the client; the id travels in the form
      body.set('client_id', options.clientId)
      init.tls = { cert: options.clientCertificate.cert, key: options.clientCertificate.key }
    } else {
      headers.authorization = basicAuthorization(options.clientId, options.clientSecret ?? '')
    }
    const started = now()
    let response: Response
    try {
      response = await options.fetch(url, init)
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message
      throw new TokenServiceError(`token service ${url} unreachable (${mode}): ${cause ?? (error as Error).message}`)
    }
    const text = await response.text()
    if (!response.ok) {
      throw new TokenServiceError(`token service ${url} refused the client_credentials grant for client ${options.clientId} (HTTP ${response.status}): ${oauthError(text)}`, response.status)
    }
    const parsed = tokenResponse.safeParse(safeJson(text))
    if (!parsed.success) throw new TokenServiceError(`token service ${url} answered without an access_token`, response.status)
    const lifetimeMs = (parsed.data.expires_in ?? DEFAULT_LIFETIME_S) * 1000
    options.onToken?.(parsed.data.access_token)
    cached = { value: parsed.data.access_token, issuedAt: started, renewAt: started + renewalDelayMs(lifetimeMs) }
    return cached.value
  }

  const token = (): Promise<string> => {
    if (cached && now() < cached.renewAt) return Promise.resolve(cached.value)
    if (lastFailure && now() - lastFailure.at < holdMs) return Promise.reject(lastFailure.error)
    inFlight ??= requestToken()
      .then(
        (value) => {
          lastFailure = undefined
          return value
        },
        (error: TokenServiceError) => {
          lastFailure = { error, at: now() }
          throw error
        },
      )
      .finally(() => {
        inFlight = undefined
      })
    return inFlight
  }

  return {
    async headers() {
      return { authorization: `Bearer ${await token()}` }
    },
    rejected(sent) {
      const rejected = /^bearer\s+(\S+)$/i.exec(sent.authorization ?? '')?.[1]
      if (rejected === undefined) return false
      // a peer already replaced the token: retrying picks up the newer one
      if (cached?.value !== rejected) return true
      if (now() - cached.issuedAt < minAgeMs) return false
      cached = undefined
      return true
    },
    secrets: options.clientSecret ? [options.clientSecret] : options.clientCertificate ? [options.clientCertificate.key] : [],
  }
}
