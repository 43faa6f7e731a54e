/**
 * @module cf/uaa
 * Access tokens from UAA for the Cloud Controller: the password grant (client `cf`, empty
 * secret, as the cf CLI does) or the client-credentials grant. Tokens are cached, renewed a
 * minute before they expire, and however many callers wait there is one request in flight.
 */
import { basicAuthorization, oauthErrorText as oauthError, safeJson } from '../oauth.ts'
import { tokenResponseSchema } from './types.ts'

export type Grant =
  | { kind: 'password'; username: string; password: string; clientId?: string; clientSecret?: string }
  | { kind: 'client_credentials'; clientId: string; clientSecret: string }

export interface TokenProvider {
  /** A valid access token (cached, or fetched once for all concurrent callers). */
  token(): Promise<string>
  /** Forgets the cached token, e.g. after the Cloud Controller answered 401. */
  invalidate(rejected?: string): void
}

export interface TokenProviderOptions {
  /** Base URL of UAA (or login); `/oauth/token` is appended. */
  uaaUrl: string
  grant: Grant
  fetch: typeof fetch
  now?: () => number
  /** Renew this long before expiry (ms). */
  marginMs?: number
  onRequest?: (grant: string, outcome: 'ok' | 'error') => void
}

/** Error from UAA, with the OAuth2 error code when UAA sent one. */
export class TokenError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message)
    this.name = 'TokenError'
  }
}

/** Creates a caching, single-flight token provider. */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const now = options.now ?? Date.now
  const margin = options.marginMs ?? 60_000
  const tokenUrl = `${options.uaaUrl.replace(/\/+$/, '')}/oauth/token`
  let cached: { value: string; expiresAt: number; refreshToken?: string } | undefined
  let inFlight: Promise<string> | undefined

  const request = async (): Promise<string> => {
    const refreshToken = cached?.refreshToken
    const body = new URLSearchParams()
    let clientId = 'cf'
    let clientSecret = ''
    if (options.grant.kind === 'client_credentials') {
      body.set('grant_type', 'client_credentials')
      clientId = options.grant.clientId
      clientSecret = options.grant.clientSecret
    } else {
      clientId = options.grant.clientId ?? 'cf'
      clientSecret = options.grant.clientSecret ?? ''
      if (refreshToken) {
        body.set('grant_type', 'refresh_token')
        body.set('refresh_token', refreshToken)
      } else {
        body.set('grant_type', 'password')
        body.set('username', options.grant.username)
        body.set('password', options.grant.password)
      }
    }
    const grant = body.get('grant_type')!
    let response: Response
    try {
      response = await options.fetch(tokenUrl, {
        method: 'POST',
        headers: {
          authorization: basicAuthorization(clientId, clientSecret),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body,
        signal: AbortSignal.timeout(10_000),
      })
    } catch (error) {
      options.onRequest?.(grant, 'error')
      throw new TokenError(`UAA at ${tokenUrl} unreachable: ${(error as Error).message}`)
    }
    const text = await response.text()
    if (!response.ok) {
      options.onRequest?.(grant, 'error')
      if (grant === 'refresh_token') {
        // An expired or revoked refresh token: start over with the password.
        cached = undefined
        return request()
      }
      throw new TokenError(`UAA refused the ${grant} grant (HTTP ${response.status}): ${oauthError(text)}`, response.status)
    }
    const parsed = tokenResponseSchema.safeParse(safeJson(text))
    if (!parsed.success) {
      options.onRequest?.(grant, 'error')
      throw new TokenError(`UAA answered the ${grant} grant with an unexpected body`)
    }
    options.onRequest?.(grant, 'ok')
    const lifetimeMs = (parsed.data.expires_in ?? 600) * 1000
    cached = {
      value: parsed.data.access_token,
      expiresAt: now() + lifetimeMs - Math.min(margin, lifetimeMs / 2),
      refreshToken: parsed.data.refresh_token,
    }
    return cached.value
  }

  return {
    token() {
      if (cached && now() < cached.expiresAt) return Promise.resolve(cached.value)
      inFlight ??= request().finally(() => {
        inFlight = undefined
      })
      return inFlight
    },
    invalidate(rejected) {
      if (!cached || rejected === undefined || cached.value === rejected) {
        if (cached) cached = { ...cached, expiresAt: 0 }
      }
    },
  }
}
