/**
 * @module http/routes/status
 * The status page at `/` (HTML, or JSON for clients that ask for it), one page of targets at a
 * time (`?page=`, `?size=`, filter `?q=`: problems first), with a strict
 * Content-Security-Policy: only its own nonce'd style and script, and fetches to itself.
 */
import { Hono } from 'hono'
import { NONCE, secureHeaders } from 'hono/secure-headers'
import { statusView } from '../status/model.ts'
import { renderStatusPage, renderStatusSections } from '../status/page.tsx'
import type { AppDeps } from '../types.ts'

/** The status page. */
export function statusRoutes(deps: Pick<AppDeps, 'targets' | 'platformStates' | 'invalidation' | 'outcomes' | 'version' | 'now'>): Hono {
  const now = deps.now ?? Date.now
  const pageHeaders = secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], styleSrc: [NONCE], scriptSrc: [NONCE], connectSrc: ["'self'"], formAction: ["'self'"], baseUri: ["'none'"], frameAncestors: ["'none'"] },
  })
  return new Hono().get('/', pageHeaders, (c) => {
    const status = deps.targets.status()
    if (!status.ready) void deps.targets.current() // as /-/ready: make sure a first discovery is under way
    const view = statusView({
      version: deps.version,
      now: now(),
      snapshot: deps.targets.peek(),
      status,
      platforms: deps.platformStates(),
      invalidations: deps.invalidation.counts(),
      outcomeOf: deps.outcomes.get,
      query: c.req.query('q'),
      refreshSeconds: c.req.query('refresh') === undefined ? undefined : Number(c.req.query('refresh')),
      page: c.req.query('page') === undefined ? undefined : Number(c.req.query('page')),
      pageSize: c.req.query('size') === undefined ? undefined : Number(c.req.query('size')),
    })
    c.header('cache-control', 'no-store')
    const accept = c.req.header('accept') ?? ''
    if (/application\/json/.test(accept) && !/text\/html/.test(accept)) return c.json(view)
    if (c.req.query('part') === 'sections') return c.html(renderStatusSections(view))
    return c.html(renderStatusPage(view, c.get('secureHeadersNonce') ?? ''))
  })
}
