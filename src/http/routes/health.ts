/**
 * @module http/routes/health
 * Liveness (`/-/healthy`: the process answers) and readiness (`/-/ready`: the first discovery is
 * done and the process is not shutting down). Never behind authentication: platform health
 * checks cannot send credentials.
 */
import { Hono } from 'hono'
import type { AppDeps } from '../types.ts'

/** The health endpoints. */
export function healthRoutes(deps: Pick<AppDeps, 'targets' | 'draining'>): Hono {
  return new Hono()
    .get('/-/healthy', (c) => c.text('OK\n'))
    .get('/-/ready', (c) => {
      if (deps.draining?.()) return c.text('Not ready: shutting down\n', 503)
      const status = deps.targets.status()
      if (!status.ready) void deps.targets.current() // make sure a first discovery is under way
      return status.ready ? c.text('Ready\n') : c.text(`Not ready: first discovery not done${status.lastError ? ` (${status.lastError})` : ''}\n`, 503)
    })
}
