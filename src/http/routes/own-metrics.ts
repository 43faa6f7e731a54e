/**
 * @module http/routes/own-metrics
 * `GET /promregatorMetrics`: the process's own metrics, in the format the `Accept` header asks for.
 * `GET /promregatorMetrics/instances/<index>`: when the product runs as several instances of one
 * app, instance `<index>`'s own metrics from whichever instance the router picked (self/replicas.ts),
 * every sample labelled with that instance (`cf_instance_number`, ...) and with `promregator_up`
 * saying whether the sibling answered. Only the app's own instances are ever contacted.
 */
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { singleTargetBody } from '../../aggregate/bodies.ts'
import { negotiate, negotiateFormat } from '../../exposition/negotiate.ts'
import type { Format } from '../../exposition/types.ts'
import { writeExposition } from '../../exposition/write.ts'
import type { ScrapeResult } from '../../scrape/types.ts'
import { SCRAPE_TIMEOUT_HEADER, scrapeLimitsOf } from '../scrape-deadline.ts'
import type { AppDeps } from '../types.ts'

/** The own-metrics endpoints. */
export function ownMetricsRoutes(deps: Pick<AppDeps, 'metrics' | 'replicas' | 'config'>): Hono {
  const ownBody = (format: Format): string => writeExposition(deps.metrics.registry.collect(), format)
  return new Hono()
    .get('/promregatorMetrics', (c) => {
      // Our own names are legacy names: the same under every escaping.
      const { format, contentType } = negotiate(c.req.header('accept'))
      return c.body(ownBody(format), 200, { 'content-type': contentType })
    })
    .get('/promregatorMetrics/instances/:index', async (c) => {
      const started = performance.now()
      const { replicas } = deps
      if (!replicas) return c.text('This process does not run as one of several instances of a Cloud Foundry app: /promregatorMetrics has its own metrics.\n', 404)
      const index = c.req.param('index')
      const target = /^\d{1,6}$/.test(index) ? replicas.target(Number(index)) : undefined
      if (!target) return c.text(`Unknown instance ${index}: this app has ${replicas.targets().length} instance(s).\n`, 404)
      const accept = c.req.header('accept')
      const wanted = negotiateFormat(accept)
      let result: ScrapeResult
      if (Number(index) === replicas.ownIndex) {
        const body = ownBody(wanted)
        result = { ok: true, target, body, format: wanted, durationMs: performance.now() - started, bytes: body.length }
      } else {
        result = await replicas.scrape(target, c.req.raw.signal, scrapeLimitsOf(c.req.header(SCRAPE_TIMEOUT_HEADER), started))
      }
      const { body, contentType, parseError } = singleTargetBody(result, accept, true)
      const status = result.ok && !parseError ? 200 : deps.config.promregator.scraping.failedTargetStatus
      // A sibling is scraped with the default Accept (text formats), so its body is never protobuf bytes.
      return c.body(body as string, status as ContentfulStatusCode, { 'content-type': contentType })
    })
}
