/**
 * @module oauth/grants
 * The grant strategies of the one token source: the password grant with its refresh token (the
 * Cloud Foundry login, as the cf CLI does it: client `cf` with an empty secret), and the
 * client-credentials grant, authenticated by a client secret or by a client certificate (mTLS).
 */
import type { Grant, TokenRequest } from './types.ts'

/** The password grant; once a refresh token came back, the refresh-token grant instead. */
export function passwordGrant(options: { username: string; password: string; clientId?: string; clientSecret?: string }): Grant {
  const client = { id: options.clientId ?? 'cf', secret: options.clientSecret ?? '' }
  return {
    description: 'password grant',
    request(refreshToken): TokenRequest {
      if (refreshToken) return { grantType: 'refresh_token', form: { refresh_token: refreshToken }, client }
      return { grantType: 'password', form: { username: options.username, password: options.password }, client }
    },
  }
}

/** The client-credentials grant with a client secret (Basic) or a client certificate (mTLS). */
export function clientCredentialsGrant(options: {
  clientId: string
  clientSecret?: string
  clientCertificate?: { cert: string; key: string }
  /** Scopes separated by commas or blanks, as the original accepts them. */
  scopes?: string
}): Grant {
  const scope = options.scopes?.split(/[\s,]+/).filter(Boolean).join(' ')
  const form: Record<string, string> = scope ? { scope } : {}
  const client = options.clientCertificate
    ? { id: options.clientId, certificate: options.clientCertificate }
    : { id: options.clientId, secret: options.clientSecret ?? '' }
  return {
    description: `client_credentials grant for client ${options.clientId}`,
    request: () => ({ grantType: 'client_credentials', form, client }),
  }
}
