/**
 * @module http/middleware/auth
 * Inbound authentication as in the original: one HTTP Basic user, switched on per endpoint
 * group (`discovery`, `endpoint`, `metrics`, `cache.invalidate`). The check is Hono's
 * basic-auth middleware, which compares in constant time. Health endpoints are never
 * protected: platform health checks cannot send credentials.
 */
import type { MiddlewareHandler } from 'hono'
import { basicAuth } from 'hono/basic-auth'
import type { Config, InboundAuth } from '../../config/schema.ts'

/** The endpoint groups that can each require authentication. */
export type EndpointGroup = 'discovery' | 'endpoint' | 'metrics' | 'cacheInvalidate'

/** The resolved inbound authentication. */
export interface InboundAuthSettings {
  groups: Record<EndpointGroup, InboundAuth>
  /** Present when at least one group uses BASIC. */
  user?: {
    username: string
    password: string
    /** True when no password was configured and one was generated (print it once at start). */
    generated: boolean
  }
}

/** Reads the groups; generates a password when BASIC is used and none is configured. */
export function inboundAuthSettings(promregator: Config['promregator'], generatePassword: () => string = () => crypto.randomUUID()): InboundAuthSettings {
  const groups: Record<EndpointGroup, InboundAuth> = {
    discovery: promregator.discovery.auth,
    endpoint: promregator.endpoint.auth,
    metrics: promregator.metrics.auth,
    cacheInvalidate: promregator.cache.invalidate.auth,
  }
  if (!Object.values(groups).includes('BASIC')) return { groups }
  const { username, password } = promregator.authentication.basic
  return { groups, user: password ? { username, password, generated: false } : { username, password: generatePassword(), generated: true } }
}

const pass: MiddlewareHandler = (_c, next) => next()

/** Middleware for one group: Hono's basic auth when the group uses BASIC, else a pass-through. */
export function requireAuth(settings: InboundAuthSettings, group: EndpointGroup): MiddlewareHandler {
  if (settings.groups[group] !== 'BASIC' || !settings.user) return pass
  return basicAuth({ username: settings.user.username, password: settings.user.password, realm: 'Promregator' })
}
