/**
 * @module http/app
 * The HTTP surface, wired with Hono: one module per endpoint group (http/routes/), and in front
 * of them the HTTP metrics, `Server-Timing` for `/metrics`, compression, loop protection and
 * per-group inbound Basic authentication. Everything it needs is passed in ({@link AppDeps}), so
 * tests drive it with `app.request()` and the runtime entries serve it.
 */
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { requireAuth } from './middleware/auth.ts'
import { compression } from './middleware/compression.ts'
import { loopGuard } from './middleware/loop-guard.ts'
import { cacheRoutes } from './routes/cache.ts'
import { discoveryRoutes } from './routes/discovery.ts'
import { healthRoutes } from './routes/health.ts'
import { metricsRoutes, metricsTiming } from './routes/metrics.ts'
import { ownMetricsRoutes } from './routes/own-metrics.ts'
import { singleTargetRoutes } from './routes/single-target.ts'
import { statusRoutes } from './routes/status.ts'
import type { AppDeps } from './types.ts'

export type { AppDeps } from './types.ts'

/** Builds the Hono app. */
export function createApp(deps: AppDeps): Hono {
  const { auth, logger } = deps
  const app = new Hono()
  app.use('*', deps.metrics.http.middleware)
  // Outside compression, so it can time it.
  app.use('/metrics', metricsTiming())
  // Prometheus sends `Accept-Encoding: gzip`; bodies of thousands of series shrink about tenfold.
  app.use('*', compression({ compressor: deps.compressor }))
  app.use('*', loopGuard(deps.instanceId, logger))

  app.use('/discovery', requireAuth(auth, 'discovery'))
  app.use('/', requireAuth(auth, 'discovery'))
  app.use('/singleTargetMetrics/*', requireAuth(auth, 'endpoint'))
  app.use('/metrics', requireAuth(auth, 'endpoint'))
  app.use('/promregatorMetrics', requireAuth(auth, 'metrics'))
  app.use('/promregatorMetrics/*', requireAuth(auth, 'metrics'))
  app.use('/cache/invalidate', requireAuth(auth, 'cacheInvalidate'))

  for (const routes of [discoveryRoutes, singleTargetRoutes, metricsRoutes, ownMetricsRoutes, healthRoutes, cacheRoutes, statusRoutes]) app.route('/', routes(deps))

  app.onError((error, c) => {
    // Middleware answers with HTTPException on purpose (basic auth: 401 with WWW-Authenticate).
    if (error instanceof HTTPException) return error.getResponse()
    logger.error('request failed', { path: c.req.path, error: error.message })
    return c.text('Internal error\n', 500)
  })
  return app
}
