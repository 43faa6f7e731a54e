/**
 * @module oauth/types
 * The shapes shared by the token source and its grants: what a grant puts into a token request,
 * and what a token source offers its users (the Cloud Foundry login, target authenticators, any
 * later platform).
 */

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

/** One token request as a grant words it. */
export interface TokenRequest {
  /** `grant_type`, also the `grant` label of the token-request metrics. */
  grantType: string
  /** The form fields besides `grant_type`. */
  form: Record<string, string>
  /** Client authentication: a Basic header with these credentials, or a client certificate (mTLS). */
  client: { id: string; secret: string } | { id: string; certificate: { cert: string; key: string } }
}

/**
 * How to ask for a token (OAuth2 grant type plus client authentication). `refreshToken` is the
 * one the last answer carried, if any: a grant that can use it asks with it.
 */
export interface Grant {
  /** For messages: `password grant`, `client_credentials grant for client x`. */
  readonly description: string
  request(refreshToken: string | undefined): TokenRequest
}

/** A source of access tokens: cached, renewed early, one request in flight for all callers. */
export interface TokenSource {
  /** A valid access token (cached, or fetched once for all concurrent callers). */
  token(): Promise<string>
  /**
   * A peer rejected `token`: forget it if it is still the cached one. True when asking again may
   * help (the token was replaced meanwhile, or it was old enough to have been revoked); false for
   * a token fetched a moment ago, which a new one would not fare better than.
   */
  invalidate(token: string | undefined): boolean
}
