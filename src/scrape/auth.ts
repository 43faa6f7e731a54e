/**
 * @module scrape/auth
 * Target authenticators: what an outbound scrape adds so that the app lets it in. `none`,
 * `basic`, and the OAuth2 client-credentials kinds `OAuth2XSUAABasic` and `OAuth2XSUAACertificate`
 * (see {@link clientCredentialsAuthenticator}).
 */
import type { AuthenticatorConfig } from '../config/schema.ts'
import { basicAuthorization } from '../oauth.ts'
import { clientCredentialsAuthenticator, type TlsFetch } from './oauth2.ts'

/** Adds credentials to a scrape request. */
export interface Authenticator {
  /** Headers to send (e.g. `Authorization`). Rejects when no credential can be had. */
  headers(): Promise<Record<string, string>>
  /**
   * The target answered 401 to the headers `sent`: drop them if they are still the cached ones.
   * True if one retry with fresh credentials may succeed.
   */
  rejected?(sent: Record<string, string>): boolean
  /** Values that must never be logged. */
  readonly secrets: string[]
}

/** Sends nothing. */
export const noAuthenticator: Authenticator = { headers: async () => ({}), secrets: [] }

/** HTTP Basic authentication. */
export function basicAuthenticator(username: string, password: string): Authenticator {
  const value = basicAuthorization(username, password)
  return { headers: async () => ({ authorization: value }), secrets: [password, value.slice(6)] }
}

/** What authenticators that talk to a token service need from their host. */
export interface AuthenticatorDeps {
  /** Fetch for token services; must understand Bun's `tls` option for `OAuth2XSUAACertificate`. */
  fetch: TlsFetch
  now?: () => number
  /** Told every token an authenticator obtains, so that no log line can show it (the process's secret registry). */
  onToken?: (token: string) => void
}

/** Builds the authenticator a configuration entry describes; no entry means `none`. */
export function createAuthenticator(config: AuthenticatorConfig | undefined, deps: AuthenticatorDeps): Authenticator {
  if (!config) return noAuthenticator
  switch (config.type) {
    case 'none':
      return noAuthenticator
    case 'basic':
      return basicAuthenticator(required(config.basic, 'basic').username, config.basic!.password)
    case 'oauth2xsuaabasic': {
      const settings = required(config.oauth2xsuaaBasic, 'oauth2xsuaaBasic')
      return clientCredentialsAuthenticator({
        tokenUrl: settings.tokenServiceURL,
        clientId: settings.client_id,
        clientSecret: settings.client_secret,
        scopes: settings.scopes,
        fetch: deps.fetch,
        now: deps.now,
        onToken: deps.onToken,
      })
    }
    case 'oauth2xsuaacertificate': {
      const settings = required(config.oauth2xsuaaCertificate, 'oauth2xsuaaCertificate')
      return clientCredentialsAuthenticator({
        tokenUrl: settings.tokenServiceCertURL,
        clientId: settings.client_id,
        clientCertificate: { cert: settings.client_certificates, key: settings.client_key },
        scopes: settings.scopes,
        fetch: deps.fetch,
        now: deps.now,
        onToken: deps.onToken,
      })
    }
  }
}

/** The schema already demands the settings of the chosen type; this guards hand-built configs. */
function required<T>(settings: T | undefined, key: string): T {
  if (settings === undefined) throw new Error(`authenticator settings '${key}' are missing`)
  return settings
}
