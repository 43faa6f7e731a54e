/**
 * @module http/routes/own-metrics
 * `GET /promregatorMetrics`: the process's own metrics, in the format the `Accept` header asks for.
 */
import { Hono } from 'hono'
import { CONTENT_TYPES, negotiateFormat } from '../../exposition/negotiate.ts'
import { writeExposition } from '../../exposition/write.ts'
import type { AppDeps } from '../types.ts'

/** The own-metrics endpoint. */
export function ownMetricsRoutes(deps: Pick<AppDeps, 'metrics'>): Hono {
  return new Hono().get('/promregatorMetrics', (c) => {
    const format = negotiateFormat(c.req.header('accept'))
    return c.body(writeExposition(deps.metrics.registry.collect(), format), 200, { 'content-type': CONTENT_TYPES[format] })
  })
}
