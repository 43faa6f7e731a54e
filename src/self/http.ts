/**
 * @module self/http
 * Metrics of the HTTP traffic of the process: inbound requests by route pattern, method and
 * status with their latency, and how many requests are in flight in each direction. Inbound
 * and outbound requests in flight are what this process can see of its open sockets (idle
 * keep-alive connections are invisible to a Web-standard server), so that is what is measured.
 */
import type { MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { Registry } from './registry.ts'

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])
/** Route label of requests that matched no endpoint: raw paths would make the label set unbounded. */
export const UNMATCHED_ROUTE = 'unmatched'

/** Handles to the HTTP metrics. */
export interface HttpMetrics {
  /** Hono middleware that counts and times every inbound request; register it first. */
  middleware: MiddlewareHandler
  /** Wraps an outbound `fetch` so requests waiting for response headers are counted. */
  countOutbound(inner: typeof fetch): typeof fetch
}

/** Registers the HTTP metrics on `registry`. */
export function registerHttpMetrics(registry: Registry): HttpMetrics {
  const requests = registry.counter('promregator_http_requests', 'Inbound HTTP requests by route pattern, method and status.')
  const latency = registry.histogram('promregator_http_request_duration_seconds', 'Time to answer inbound HTTP requests (until the response headers), by route pattern.', LATENCY_BUCKETS, 'seconds')
  let inboundInFlight = 0
  let outboundInFlight = 0
  registry.gauge('promregator_http_requests_in_flight', 'Inbound HTTP requests being answered (a lower bound of open server sockets).', {
    compute: () => [{ value: inboundInFlight }],
  })
  registry.gauge('promregator_outbound_requests_in_flight', 'Outbound requests (Cloud Controller, UAA, app instances) waiting for response headers (a lower bound of open client sockets).', {
    compute: () => [{ value: outboundInFlight }],
  })

  const middleware: MiddlewareHandler = async (c, next) => {
    const started = performance.now()
    inboundInFlight++
    try {
      await next()
    } finally {
      inboundInFlight--
      const route = routePattern(matchedRoutes(c))
      const method = KNOWN_METHODS.has(c.req.method) ? c.req.method : 'other'
      // An exception escaping next() is answered 500 by Hono's error handler.
      const status = c.finalized ? String(c.res.status) : '500'
      requests.inc({ route, method, status })
      latency.observe({ route }, (performance.now() - started) / 1000)
    }
  }

  const countOutbound = (inner: typeof fetch): typeof fetch =>
    (async (input: string | URL | Request, init?: RequestInit) => {
      outboundInFlight++
      try {
        return await inner(input, init)
      } finally {
        outboundInFlight--
      }
    }) as typeof fetch

  return { middleware, countOutbound }
}

/** The pattern of the endpoint that answered (`/singleTargetMetrics/:appGuid/:index`), never the raw path. */
export function routePattern(routes: Array<{ method: string; path: string }>): string {
  // Middleware registered with `use` has method ALL; the endpoint is the last route with a real method.
  for (let i = routes.length - 1; i >= 0; i--) if (routes[i]!.method !== 'ALL') return routes[i]!.path
  return UNMATCHED_ROUTE
}
