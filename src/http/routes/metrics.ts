/**
 * @module http/routes/metrics
 * `GET /metrics`: every target scraped and merged into one document (aggregate/scrape-all.ts),
 * with a `Server-Timing` header that says where the time went (scrapes, merge, compression).
 */
import { Hono } from 'hono'
import { endTime, startTime, timing } from 'hono/timing'
import { scrapeAndMerge } from '../../aggregate/scrape-all.ts'
import { CONTENT_TYPES, negotiateFormat } from '../../exposition/negotiate.ts'
import { SCRAPE_TIMEOUT_HEADER, scrapeLimitsOf } from '../scrape-deadline.ts'
import type { AppDeps } from '../types.ts'

/** The merged endpoint. */
export function metricsRoutes(deps: Pick<AppDeps, 'targets' | 'scraper' | 'recorder' | 'metrics' | 'collectGarbage'>): Hono {
  return new Hono().get('/metrics', async (c) => {
    const limits = scrapeLimitsOf(c.req.header(SCRAPE_TIMEOUT_HEADER))
    const snapshot = await deps.targets.current()
    const format = negotiateFormat(c.req.header('accept'))
    const merged = await scrapeAndMerge(snapshot.targets, format, {
      scraper: deps.scraper,
      record: deps.recorder.record,
      signal: c.req.raw.signal,
      limits,
      phase: { start: (name, description) => startTime(c, name, description), end: (name) => endTime(c, name) },
    })
    for (const conflict of merged.conflicts) deps.metrics.mergeConflicts.inc({ metric_name: conflict.metric })
    for (const failure of merged.parseErrors) deps.recorder.parseError(failure.id, failure.message, 'instance body is not valid exposition; counted as down')
    if (deps.collectGarbage) setTimeout(deps.collectGarbage, 0)
    return c.body(merged.body, 200, { 'content-type': CONTENT_TYPES[format] })
  })
}

/** Hono's timing middleware for `/metrics`: register it before compression, so it can time that too. */
export const metricsTiming = () => timing({ totalDescription: 'answering /metrics' })
