/**
 * @module scrape/auth/oauth2
 * The OAuth2 client-credentials authenticator of `OAuth2XSUAABasic` (client secret in a Basic
 * header) and `OAuth2XSUAACertificate` (client certificate sent as mTLS): a thin user of the
 * process's one token source. The token is renewed 30 s before it expires, a 401 from a target
 * buys one fresh token (not for a token younger than 5 s), and after a failed token request the
 * scrapes of the next 5 s get the same error instead of asking again each.
 */
import { clientCredentialsGrant } from '../../oauth/grants.ts'
import { createTokenSource } from '../../oauth/token-source.ts'
import type { TlsFetch } from '../../oauth/types.ts'
import type { Authenticator } from '../types.ts'

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
}

/** Creates an authenticator that sends `Authorization: Bearer <token>` from a client-credentials grant. */
export function clientCredentialsAuthenticator(options: ClientCredentialsOptions): Authenticator {
  const source = createTokenSource({
    tokenUrl: options.tokenUrl,
    grant: clientCredentialsGrant(options),
    fetch: options.fetch,
    now: options.now,
    onToken: options.onToken,
    renewBeforeMs: 30_000,
    defaultLifetimeS: 300,
    failureHoldMs: 5_000,
    minAgeForRenewalMs: 5_000,
  })
  return {
    async headers() {
      return { authorization: `Bearer ${await source.token()}` }
    },
    rejected(sent) {
      const rejected = /^bearer\s+(\S+)$/i.exec(sent.authorization ?? '')?.[1]
      return rejected !== undefined && source.invalidate(rejected)
    },
    secrets: options.clientSecret ? [options.clientSecret] : options.clientCertificate ? [options.clientCertificate.key] : [],
  }
}
