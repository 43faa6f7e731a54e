/**
 * @module http/routes/single-target
 * `GET /singleTargetMetrics/<first>/<second>`: the metrics of the one target whose id is
 * `<first>:<second>`, plus `promregator_up` and `promregator_scrape_duration_seconds`. Only
 * targets discovery knows are ever contacted: any other id is a 404 without an outbound request,
 * so this endpoint is no open proxy.
 */
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { singleTargetBody } from '../../aggregate/bodies.ts'
import { SCRAPE_TIMEOUT_HEADER, scrapeLimitsOf } from '../scrape-deadline.ts'
import type { AppDeps } from '../types.ts'

/** A path segment of a target id: letters, digits, `.`, `_`, `-` (GUIDs, indexes, dyno names). */
const SEGMENT = /^[A-Za-z0-9._-]{1,128}$/

/** The proxy endpoint of every discovered target. */
export function singleTargetRoutes(deps: Pick<AppDeps, 'config' | 'targets' | 'scraper' | 'recorder' | 'metrics'>): Hono {
  const { scraping } = deps.config.promregator
  return new Hono().get('/singleTargetMetrics/:appGuid/:index', async (c) => {
    const started = performance.now()
    const { appGuid, index } = c.req.param()
    if (!SEGMENT.test(appGuid) || !SEGMENT.test(index)) return c.text('Invalid target id\n', 400)
    const snapshot = await deps.targets.current()
    const target = snapshot.byId.get(`${appGuid}:${index}`)
    if (!target) return c.text(`Unknown instance ${appGuid}:${index}\n`, 404)
    // The scraper's Accept goes on to the instance, so what it asked for (protobuf with native
    // histograms, a text version with UTF-8 names) can come back unchanged.
    const accept = c.req.header('accept')
    const limits = { ...scrapeLimitsOf(c.req.header(SCRAPE_TIMEOUT_HEADER), started), ...(accept ? { accept } : {}) }
    const result = await deps.scraper.scrape(target, c.req.raw.signal, limits)
    deps.recorder.record(result)
    const { body, contentType, parseError, conflicts } = singleTargetBody(result, accept, scraping.labelEnrichment)
    for (const conflict of conflicts ?? []) deps.metrics.mergeConflicts.inc({ metric_name: conflict.metric })
    if (parseError) deps.recorder.parseError(target.id, parseError, 'instance body could not be converted')
    // A 5xx (if configured) makes Prometheus's own `up` 0; the body still says why (promregator_up 0).
    const status = result.ok && !parseError ? 200 : scraping.failedTargetStatus
    return c.body(body as string | Uint8Array<ArrayBuffer>, status as ContentfulStatusCode, { 'content-type': contentType })
  })
}
