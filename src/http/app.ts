/**
 * @module http/app
 * The HTTP surface, wired with Hono: discovery, the per-instance proxy endpoint, the merged
 * `/metrics`, own metrics, health, cache control and the status page at `/`; in front of them
 * the HTTP metrics, gzip, loop protection and per-group inbound Basic authentication.
 * Everything it needs is passed in, so tests drive it with `app.request()` and the binary
 * serves it with Bun.
 */
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { NONCE, secureHeaders } from 'hono/secure-headers'
import { endTime, startTime, timing } from 'hono/timing'
import type { Config } from '../config/schema.ts'
import type { TargetCache } from '../discovery/cache.ts'
import { classesToInvalidate } from '../discovery/invalidate.ts'
import { CONTENT_TYPES, negotiateFormat } from '../exposition/negotiate.ts'
import { writeExposition } from '../exposition/write.ts'
import type { Logger } from '../log.ts'
import { failureLogLevel } from '../scrape/failures.ts'
import type { ScrapeResult, Scraper } from '../scrape/scraper.ts'
import type { SelfMetrics } from '../self/metrics.ts'
import type { ScrapeOutcomes } from '../self/scrape-outcomes.ts'
import { requireAuth, type InboundAuthSettings } from './auth.ts'
import { compression, type Compressor } from './compression.ts'
import { advertisedAddress, discoveryDocument } from './discovery.ts'
import { mergedBody, prepareForMerge, singleTargetBody } from './scrape-response.ts'
import { statusView } from './status-model.ts'
import { renderStatusPage, renderStatusSections } from './status-page.tsx'

export interface AppDeps {
  config: Config
  cache: TargetCache
  scraper: Scraper
  metrics: SelfMetrics
  logger: Logger
  /** This process's id; a request carrying it in `X-Promregator-Instance` is a loop. */
  instanceId: string
  version: string
  /** Last scrape outcome per target, for the status page. */
  outcomes: ScrapeOutcomes
  /** Inbound authentication per endpoint group. */
  auth: InboundAuthSettings
  /** True once shutdown began: `/-/ready` then answers 503 so no new traffic is routed here. */
  draining?: () => boolean
  now?: () => number
  /** Whole-body compressor for gzip/deflate responses (the binary's fast zlib); default: `CompressionStream`. */
  compressor?: Compressor
  /**
   * A full garbage collection (the binary: `Bun.gc(true)`), run once a `/metrics` answer is on its way:
   * one answer over 1,000 instances leaves ~80 MB of garbage (bodies, their index, the merged text),
   * and without it the next answers pile theirs on top before the runtime collects (bench/aggregate.ts).
   */
  collectGarbage?: () => void
}

const APP_GUID = /^[-0-9a-f]+$/
const INDEX = /^\d{1,6}$/

/** Builds the Hono app. */
export function createApp(deps: AppDeps): Hono {
  const { config, cache, scraper, metrics, logger, outcomes, auth } = deps
  const now = deps.now ?? Date.now
  const app = new Hono()

  const record = (result: ScrapeResult) => {
    const outcome = result.ok ? 'success' : 'failure'
    outcomes.record(result)
    metrics.scrapes.inc({ outcome })
    metrics.scrapeDuration.observe({ outcome }, result.durationMs / 1000)
    if (!result.ok) {
      metrics.scrapeErrors.inc({ reason: result.reason })
      logger[failureLogLevel(result.reason)]('scrape failed', { target: result.target.id, app: result.target.appName, url: result.target.url, reason: result.reason, error: result.message })
    }
  }

  app.use('*', metrics.http.middleware)
  // Where a `/metrics` answer's time went (scrapes, merge, compression), for operators with curl
  // and for bench/aggregate.ts: a `Server-Timing` header. Outside compression, so it can time it.
  app.use('/metrics', timing({ totalDescription: 'answering /metrics' }))
  // Prometheus sends `Accept-Encoding: gzip`; bodies of thousands of series shrink about tenfold.
  app.use('*', compression({ compressor: deps.compressor }))
  app.use('*', async (c, next) => {
    if (c.req.header('x-promregator-instance') === deps.instanceId) {
      logger.error('request carries this instance id: a scrape loop; refused', { path: c.req.path })
      return c.text('Loop detected: this request was sent by this Promregator instance.\n', 508)
    }
    await next()
  })

  app.use('/discovery', requireAuth(auth, 'discovery'))
  app.use('/', requireAuth(auth, 'discovery'))
  app.use('/singleTargetMetrics/*', requireAuth(auth, 'endpoint'))
  app.use('/metrics', requireAuth(auth, 'endpoint'))
  app.use('/promregatorMetrics', requireAuth(auth, 'metrics'))
  app.use('/cache/invalidate', requireAuth(auth, 'cacheInvalidate'))

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
    const { body, format, parseError, conflicts } = singleTargetBody(result, wanted, config.promregator.scraping.labelEnrichment)
    for (const conflict of conflicts ?? []) metrics.mergeConflicts.inc({ metric_name: conflict.metric })
    if (parseError) {
      outcomes.recordParseError(target.id, parseError)
      logger.warn('instance body could not be converted', { target: target.id, error: parseError })
    }
    // A 5xx (if configured) makes Prometheus's own `up` 0; the body still says why (promregator_up 0).
    const status = result.ok && !parseError ? 200 : config.promregator.scraping.failedTargetStatus
    return c.body(body, status as ContentfulStatusCode, { 'content-type': CONTENT_TYPES[format] })
  })

  app.get('/metrics', async (c) => {
    const snapshot = await cache.current()
    const signal = c.req.raw.signal
    startTime(c, 'scrape', `scraping ${snapshot.targets.length} instances and scanning each body as it arrives`)
    // Each body is recorded and scanned as its scrape ends, while the others are still in flight.
    // Concurrency is bounded once, in the scraper (`promregator.scraping.threads`).
    const inputs = await Promise.all(
      snapshot.targets.map((t) =>
        scraper.scrape(t, signal).then((result) => {
          record(result)
          return prepareForMerge(result)
        }),
      ),
    )
    endTime(c, 'scrape')
    startTime(c, 'merge', 'merging the bodies with their labels into one document')
    const format = negotiateFormat(c.req.header('accept'))
    const merged = mergedBody(inputs, format)
    endTime(c, 'merge')
    for (const conflict of merged.conflicts) metrics.mergeConflicts.inc({ metric_name: conflict.metric })
    for (const failure of merged.parseErrors) {
      metrics.scrapeErrors.inc({ reason: 'parse_error' })
      outcomes.recordParseError(failure.id, failure.message)
      logger.warn('instance body is not valid exposition; counted as down', { target: failure.id, error: failure.message })
    }
    if (deps.collectGarbage) setTimeout(deps.collectGarbage, 0)
    return c.body(merged.body, 200, { 'content-type': CONTENT_TYPES[format] })
  })

  app.get('/promregatorMetrics', (c) => {
    const format = negotiateFormat(c.req.header('accept'))
    return c.body(writeExposition(metrics.registry.collect(), format), 200, { 'content-type': CONTENT_TYPES[format] })
  })

  app.get('/-/healthy', (c) => c.text('OK\n'))
  app.get('/-/ready', (c) => {
    if (deps.draining?.()) return c.text('Not ready: shutting down\n', 503)
    const status = cache.status()
    if (!status.ready) void cache.current() // make sure a first discovery is under way
    return status.ready ? c.text('Ready\n') : c.text(`Not ready: first discovery not done${status.lastError ? ` (${status.lastError})` : ''}\n`, 503)
  })

  app.get('/cache/invalidate', (c) => {
    // Answers at once; the refresh runs in the background and scrapes keep the current picture.
    const classes = classesToInvalidate(c.req.query())
    logger.info('cache invalidated; refreshing discovery', { classes: classes?.join(',') ?? 'all' })
    void cache.invalidate(classes)
    return c.body(null, 204)
  })

  // The status page: a strict CSP allows only its own nonce'd style and script, and fetches to itself.
  const pageHeaders = secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], styleSrc: [NONCE], scriptSrc: [NONCE], connectSrc: ["'self'"], formAction: ["'self'"], baseUri: ["'none'"], frameAncestors: ["'none'"] },
  })
  app.get('/', pageHeaders, (c) => {
    const status = cache.status()
    if (!status.ready) void cache.current() // as /-/ready: make sure a first discovery is under way
    const view = statusView({
      version: deps.version,
      now: now(),
      snapshot: cache.peek(),
      status,
      outcomeOf: outcomes.get,
      query: c.req.query('q'),
      refreshSeconds: c.req.query('refresh') === undefined ? undefined : Number(c.req.query('refresh')),
    })
    c.header('cache-control', 'no-store')
    const accept = c.req.header('accept') ?? ''
    if (/application\/json/.test(accept) && !/text\/html/.test(accept)) return c.json(view)
    if (c.req.query('part') === 'sections') return c.html(renderStatusSections(view))
    return c.html(renderStatusPage(view, c.get('secureHeadersNonce') ?? ''))
  })

  app.onError((error, c) => {
    // Middleware answers with HTTPException on purpose (basic auth: 401 with WWW-Authenticate).
    if (error instanceof HTTPException) return error.getResponse()
    logger.error('request failed', { path: c.req.path, error: error.message })
    return c.text('Internal error\n', 500)
  })
  return app
}
