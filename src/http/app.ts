/**
 * @module http/app
 * The HTTP surface, wired with Hono: discovery, the per-instance proxy endpoint, the merged
 * `/metrics`, own metrics, health and cache control. Everything it needs is passed in, so tests
 * drive it with `app.request()` and the binary serves it with Bun.
 */
import { Hono } from 'hono'
import pLimit from 'p-limit'
import type { Config } from '../config/schema.ts'
import type { TargetCache } from '../discovery/cache.ts'
import { CONTENT_TYPES, negotiateFormat } from '../exposition/negotiate.ts'
import { writeExposition } from '../exposition/write.ts'
import type { Logger } from '../log.ts'
import type { ScrapeResult, Scraper } from '../scrape/scraper.ts'
import type { SelfMetrics } from '../self/metrics.ts'
import { advertisedAddress, discoveryDocument } from './discovery.ts'
import { mergedBody, singleTargetBody } from './scrape-response.ts'

export interface AppDeps {
  config: Config
  cache: TargetCache
  scraper: Scraper
  metrics: SelfMetrics
  logger: Logger
  /** This process's id; a request carrying it in `X-Promregator-Instance` is a loop. */
  instanceId: string
  version: string
}

const APP_GUID = /^[-0-9a-f]+$/
const INDEX = /^\d{1,6}$/

/** Builds the Hono app. */
export function createApp(deps: AppDeps): Hono {
  const { config, cache, scraper, metrics, logger } = deps
  const app = new Hono()
  const limitAggregate = pLimit(64)

  const record = (result: ScrapeResult) => {
    metrics.scrapes.inc({ outcome: result.ok ? 'success' : 'failure' })
    metrics.scrapeDuration.observe({}, result.durationMs / 1000)
    if (!result.ok) {
      metrics.scrapeErrors.inc({ reason: result.reason })
      logger.warn('scrape failed', { target: result.target.id, app: result.target.appName, url: result.target.url, reason: result.reason, error: result.message })
    }
  }

  app.use('*', async (c, next) => {
    if (c.req.header('x-promregator-instance') === deps.instanceId) {
      logger.error('request carries this instance id: a scrape loop; refused', { path: c.req.path })
      return c.text('Loop detected: this request was sent by this Promregator instance.\n', 508)
    }
    await next()
  })

  app.get('/discovery', async (c) => {
    const snapshot = await cache.current()
    const doc = discoveryDocument(snapshot.targets, advertisedAddress(c, config.promregator.discovery), config.promregator.discovery)
    return c.json(doc)
  })

  app.get('/singleTargetMetrics/:appGuid/:index', async (c) => {
    const { appGuid, index } = c.req.param()
    if (!APP_GUID.test(appGuid)) return c.text('Invalid application id\n', 400)
    if (!INDEX.test(index)) return c.text('Invalid instance number\n', 400)
    const snapshot = await cache.current()
    const target = snapshot.byId.get(`${appGuid}:${Number(index)}`)
    // Only instances discovery knows are ever contacted: this endpoint is no open proxy.
    if (!target) return c.text(`Unknown instance ${appGuid}:${index}\n`, 404)
    const result = await scraper.scrape(target, c.req.raw.signal)
    record(result)
    const wanted = negotiateFormat(c.req.header('accept'))
    const { body, format, parseError } = singleTargetBody(result, wanted)
    if (parseError) logger.warn('instance body could not be converted', { target: target.id, error: parseError })
    return c.body(body, 200, { 'content-type': CONTENT_TYPES[format] })
  })

  app.get('/metrics', async (c) => {
    const snapshot = await cache.current()
    const signal = c.req.raw.signal
    const results = await Promise.all(snapshot.targets.map((t) => limitAggregate(() => scraper.scrape(t, signal))))
    results.forEach(record)
    const format = negotiateFormat(c.req.header('accept'))
    const merged = mergedBody(results, format)
    for (const conflict of merged.conflicts) metrics.mergeConflicts.inc({ metric_name: conflict.metric })
    for (const failure of merged.parseErrors) {
      metrics.scrapeErrors.inc({ reason: 'parse_error' })
      logger.warn('instance body is not valid exposition; counted as down', { target: failure.id, error: failure.message })
    }
    return c.body(merged.body, 200, { 'content-type': CONTENT_TYPES[format] })
  })

  app.get('/promregatorMetrics', (c) => {
    const format = negotiateFormat(c.req.header('accept'))
    return c.body(writeExposition(metrics.registry.collect(), format), 200, { 'content-type': CONTENT_TYPES[format] })
  })

  app.get('/-/healthy', (c) => c.text('OK\n'))
  app.get('/-/ready', (c) => {
    const status = cache.status()
    if (!status.ready) void cache.current() // make sure a first discovery is under way
    return status.ready ? c.text('Ready\n') : c.text(`Not ready: first discovery not done${status.lastError ? ` (${status.lastError})` : ''}\n`, 503)
  })

  app.get('/cache/invalidate', (c) => {
    void cache.refresh()
    return c.body(null, 204)
  })

  app.get('/', (c) => {
    const status = cache.status()
    return c.json({
      name: 'promregator',
      version: deps.version,
      ready: status.ready,
      endpoints: ['/discovery', '/metrics', '/singleTargetMetrics/{appGuid}/{index}', '/promregatorMetrics', '/-/healthy', '/-/ready', '/cache/invalidate'],
    })
  })

  app.onError((error, c) => {
    logger.error('request failed', { path: c.req.path, error: error.message })
    return c.text('Internal error\n', 500)
  })
  return app
}
