/**
 * @module scrape/auth
 * Target authenticators: what an outbound scrape adds so that the app lets it in.
 */
import type { AuthenticatorConfig } from '../config/schema.ts'

/** Adds credentials to a scrape request. */
export interface Authenticator {
  /** Headers to send (e.g. `Authorization`). */
  headers(): Promise<Record<string, string>>
  /** The target answered 401: drop cached credentials; true if a retry may succeed. */
  rejected?(): boolean
  /** Values that must never be logged. */
  readonly secrets: string[]
}

/** Sends nothing. */
export const noAuthenticator: Authenticator = { headers: async () => ({}), secrets: [] }

/** HTTP Basic authentication. */
export function basicAuthenticator(username: string, password: string): Authenticator {
  const value = `Basic ${btoa(unescape(encodeURIComponent(`${username}:${password}`)))}`
  return { headers: async () => ({ authorization: value }), secrets: [password, value.slice(6)] }
}

/** Builds an authenticator from its configuration. */
export type AuthenticatorFactory = (config: AuthenticatorConfig | undefined) => Authenticator

/** The authenticators of this slice: `none` and `basic`. */
export const createAuthenticator: AuthenticatorFactory = (config) => {
  if (!config || config.type === 'none') return noAuthenticator
  if (config.type === 'basic' && config.basic) return basicAuthenticator(config.basic.username, config.basic.password)
  throw new Error(`authenticator type ${config.type} is not supported`)
}
