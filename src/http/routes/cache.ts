/**
 * @module http/routes/cache
 * `GET /cache/invalidate`: forgets cached platform API results (those the query names, as the
 * original's parameters; all without any) and refreshes discovery in the background, through the
 * invalidation gate (requests coalesce; refreshes they cause are spaced out). Answers at once;
 * scrapes keep the current picture meanwhile.
 */
import { Hono } from 'hono'
import type { AppDeps } from '../types.ts'

/** The cache control endpoint. */
export function cacheRoutes(deps: Pick<AppDeps, 'invalidation' | 'logger'>): Hono {
  return new Hono().get('/cache/invalidate', (c) => {
    const query = c.req.query()
    deps.logger.debug('cache invalidation requested', { request: Object.keys(query).join(',') || 'all' })
    void deps.invalidation.request(query)
    return c.body(null, 204)
  })
}
