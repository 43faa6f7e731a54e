/**
 * @module http/routes/metrics
 * `GET /metrics`: every target scraped and merged into one document (aggregate/scrape-all.ts),
 * with a `Server-Timing` header that says where the time went (scrapes, merge, compression).
 */
import { Hono } from 'hono'
import { endTime, startTime, timing } from 'hono/timing'
import { scrapeAndMerge } from '../../aggregate/scrape-all.ts'
import { targetsOfShard } from '../../targets/shard.ts'
import { SCRAPE_TIMEOUT_HEADER, scrapeLimitsOf } from '../scrape-deadline.ts'
import type { AppDeps } from '../types.ts'

/** The merged endpoint. */
export function metricsRoutes(deps: Pick<AppDeps, 'targets' | 'scraper' | 'recorder' | 'metrics' | 'collectGarbage'>): Hono {
  return new Hono().get('/metrics', async (c) => {
    const shard = shardQuery(c.req.query('shard'), c.req.query('shards'))
    if (typeof shard === 'string') return c.text(`${shard}\n`, 400)
    const limits = scrapeLimitsOf(c.req.header(SCRAPE_TIMEOUT_HEADER))
    const snapshot = await deps.targets.current()
    const targets = shard ? targetsOfShard(snapshot.targets, shard.shard, shard.shards) : snapshot.targets
    const merged = await scrapeAndMerge(targets, c.req.header('accept'), {
      scraper: deps.scraper,
      record: deps.recorder.record,
      signal: c.req.raw.signal,
      limits,
      phase: { start: (name, description) => startTime(c, name, description), end: (name) => endTime(c, name) },
    })
    for (const conflict of merged.conflicts) deps.metrics.mergeConflicts.inc({ metric_name: conflict.metric })
    for (const failure of merged.parseErrors) deps.recorder.parseError(failure.id, failure.message, 'instance body is not valid exposition; counted as down')
    if (deps.collectGarbage) setTimeout(deps.collectGarbage, 0)
    return c.body(merged.body as string | Uint8Array<ArrayBuffer>, 200, { 'content-type': merged.contentType })
  })
}

/** Hono's timing middleware for `/metrics`: register it before compression, so it can time that too. */
export const metricsTiming = () => timing({ totalDescription: 'answering /metrics' })

/** Most shards `/metrics?shards=` accepts. */
const MAX_SHARDS = 1024

/**
 * `shard`/`shards` of `/metrics?shard=<i>&shards=<n>`: undefined when neither is given, the pair
 * when valid (0 ≤ i < n ≤ 1024, decimal integers), else the message for a 400.
 */
export function shardQuery(shard: string | undefined, shards: string | undefined): { shard: number; shards: number } | undefined | string {
  if (shard === undefined && shards === undefined) return undefined
  if (shard === undefined || shards === undefined) return 'shard and shards must be given together, e.g. /metrics?shard=0&shards=2'
  if (!/^\d{1,4}$/.test(shards) || Number(shards) < 1 || Number(shards) > MAX_SHARDS) return `shards must be an integer from 1 to ${MAX_SHARDS}, got "${shards}"`
  if (!/^\d{1,4}$/.test(shard) || Number(shard) >= Number(shards)) return `shard must be an integer from 0 to ${Number(shards) - 1} (shards - 1), got "${shard}"`
  return { shard: Number(shard), shards: Number(shards) }
}
