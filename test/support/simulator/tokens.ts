/**
 * @module simulator/tokens
 * Access and refresh tokens of the simulated UAA. Tokens are JWT-shaped (HS256, with `exp`,
 * `jti`, `client_id`, `scope`) so a client that reads `exp` to refresh early works as against a real
 * UAA, but validity is decided by this store: that lets tests expire or revoke tokens at will.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { newGuid } from './ids.ts'

/** Who a token was issued to. */
export interface TokenSubject {
  clientId: string
  grantType: 'password' | 'client_credentials'
  /** Set for password grants. */
  username?: string
}

/** What the token endpoint returns (before JSON naming). */
export interface IssuedTokens {
  accessToken: string
  refreshToken?: string
  expiresIn: number
  scope: string
  jti: string
}

interface StoredToken {
  subject: TokenSubject
  expiresAtMs: number
}

export type AccessTokenStatus = 'valid' | 'expired' | 'invalid'

const USER_SCOPES = ['cloud_controller.read', 'cloud_controller.write', 'openid', 'password.write', 'uaa.user', 'network.write']
const CLIENT_SCOPES = ['cloud_controller.admin_read_only', 'uaa.none']

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url')
}

/** Issues, validates, expires and revokes tokens. */
export class TokenStore {
  accessLifetimeSeconds: number
  refreshLifetimeSeconds: number
  /** `iss` claim; set once the UAA listens. */
  issuer = 'http://127.0.0.1/oauth/token'
  private readonly signingKey = randomBytes(32)
  private readonly accessTokens = new Map<string, StoredToken>()
  private readonly refreshTokens = new Map<string, StoredToken>()

  constructor(accessLifetimeSeconds = 1200, refreshLifetimeSeconds = 2_592_000) {
    this.accessLifetimeSeconds = accessLifetimeSeconds
    this.refreshLifetimeSeconds = refreshLifetimeSeconds
  }

  private sign(claims: Record<string, unknown>): string {
    const head = base64url(JSON.stringify({ alg: 'HS256', kid: 'sim-key', typ: 'JWT' }))
    const body = base64url(JSON.stringify(claims))
    const signature = createHmac('sha256', this.signingKey).update(`${head}.${body}`).digest('base64url')
    return `${head}.${body}.${signature}`
  }

  /** Issues a new access token (and a refresh token for password grants, as the `cf` client has). */
  issue(subject: TokenSubject, nowMs = Date.now()): IssuedTokens {
    const jti = newGuid().replace(/-/g, '')
    const scopes = subject.grantType === 'password' ? USER_SCOPES : CLIENT_SCOPES
    const iat = Math.floor(nowMs / 1000)
    const accessToken = this.sign({
      jti,
      sub: subject.username ?? subject.clientId,
      scope: scopes,
      client_id: subject.clientId,
      cid: subject.clientId,
      grant_type: subject.grantType,
      ...(subject.username ? { user_name: subject.username, origin: 'uaa' } : {}),
      iat,
      exp: iat + this.accessLifetimeSeconds,
      iss: this.issuer,
      zid: 'uaa',
      aud: ['cloud_controller', subject.clientId],
    })
    this.accessTokens.set(accessToken, { subject, expiresAtMs: nowMs + this.accessLifetimeSeconds * 1000 })
    let refreshToken: string | undefined
    if (subject.grantType === 'password') {
      refreshToken = this.sign({ jti: `${jti}-r`, sub: subject.username, cid: subject.clientId, iat, exp: iat + this.refreshLifetimeSeconds, iss: this.issuer })
      this.refreshTokens.set(refreshToken, { subject, expiresAtMs: nowMs + this.refreshLifetimeSeconds * 1000 })
    }
    return { accessToken, refreshToken, expiresIn: this.accessLifetimeSeconds, scope: scopes.join(' '), jti }
  }

  /** Checks an access token presented to Cloud Controller. */
  checkAccess(token: string, nowMs = Date.now()): AccessTokenStatus {
    const stored = this.accessTokens.get(token)
    if (!stored) return 'invalid'
    return stored.expiresAtMs <= nowMs ? 'expired' : 'valid'
  }

  /** The subject of a live refresh token, or why it cannot be used. */
  checkRefresh(token: string, nowMs = Date.now()): TokenSubject | 'expired' | 'invalid' {
    const stored = this.refreshTokens.get(token)
    if (!stored) return 'invalid'
    return stored.expiresAtMs <= nowMs ? 'expired' : stored.subject
  }

  /** Expires every access token issued so far. */
  expireAccessTokens(): void {
    for (const stored of this.accessTokens.values()) stored.expiresAtMs = 0
  }

  /** Forgets every token, as if the UAA's signing key had been rotated. */
  revokeAll(): void {
    this.accessTokens.clear()
    this.refreshTokens.clear()
  }
}
