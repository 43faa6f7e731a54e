/**
 * @module scrape/auth
 * Target authenticators: what an outbound scrape adds so that the app lets it in. `none`,
 * `basic`, and the OAuth2 client-credentials kinds `OAuth2XSUAABasic` and `OAuth2XSUAACertificate`
 * (one file each; this one builds the one a configuration entry names).
 */
import type { AuthenticatorConfig } from '../../config/schema.ts'
import type { TlsFetch } from '../../oauth/types.ts'
import type { Authenticator } from '../types.ts'
import { basicAuthenticator, noAuthenticator } from './basic.ts'
import { clientCredentialsAuthenticator } from './oauth2.ts'

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
    case 'basic': {
      const settings = required(config.basic, 'basic')
      return basicAuthenticator(settings.username, settings.password)
    }
    case 'oauth2xsuaabasic': {
      const settings = required(config.oauth2xsuaaBasic, 'oauth2xsuaaBasic')
      return clientCredentialsAuthenticator({
        tokenUrl: settings.tokenServiceURL,
        clientId: settings.client_id,
        clientSecret: settings.client_secret,
        scopes: settings.scopes,
        ...deps,
      })
    }
    case 'oauth2xsuaacertificate': {
      const settings = required(config.oauth2xsuaaCertificate, 'oauth2xsuaaCertificate')
      return clientCredentialsAuthenticator({
        tokenUrl: settings.tokenServiceCertURL,
        clientId: settings.client_id,
        clientCertificate: { cert: settings.client_certificates, key: settings.client_key },
        scopes: settings.scopes,
        ...deps,
      })
    }
  }
}

/** The schema already demands the settings of the chosen type; this guards hand-built configs. */
function required<T>(settings: T | undefined, key: string): T {
  if (settings === undefined) throw new Error(`authenticator settings '${key}' are missing`)
  return settings
}

export { basicAuthenticator, noAuthenticator } from './basic.ts'
export { clientCredentialsAuthenticator } from './oauth2.ts'
