/**
 * @module scrape/auth/basic
 * The authenticators that need no token service: `none`, and HTTP Basic with a fixed user.
 */
import { basicAuthorization } from '../../oauth/basic.ts'
import type { Authenticator } from '../types.ts'

/** Sends nothing. */
export const noAuthenticator: Authenticator = { headers: async () => ({}), secrets: [] }

/** HTTP Basic authentication. */
export function basicAuthenticator(username: string, password: string): Authenticator {
  const value = basicAuthorization(username, password)
  return { headers: async () => ({ authorization: value }), secrets: [password, value.slice(6)] }
}
