/**
 * @module self/metrics
 * The process's own metrics (served on `/promregatorMetrics`): what was scraped, how it went,
 * how discovery is doing, the HTTP traffic and the process itself. One place that names them,
 * so their names stay consistent.
 */
import { registerHttpMetrics, type HttpMetrics } from './http.ts'
import { registerPlatformApiMetrics, type PlatformApiMetrics } from './platform-api.ts'
import { registerProcessMetrics } from './process.ts'
import { Registry, type Counter, type Gauge, type Histogram } from './registry.ts'

/** Handles to every own metric. */
export interface SelfMetrics {
  registry: Registry
  scrapes: Counter
  scrapeErrors: Counter
  scrapeDuration: Histogram
  mergeConflicts: Counter
  discoveryRefreshes: Counter
  /** `/cache/invalidate` requests, and the refreshes they caused (fewer: they coalesce). */
  invalidations: Counter
  invalidationRefreshes: Counter
  discoveryDuration: Gauge
  /** Serialisations of the `/discovery` document (one per picture of targets and address, not one per request). */
  discoveryDocumentBuilds: Counter
  targetsDiscovered: Gauge
  /** Selected apps that yield no target (the status page lists them with the reason). */
  unscrapedApps: Gauge
  http: HttpMetrics
  /** Platform API and token traffic (Cloud Controller and UAA, ...). */
  platforms: PlatformApiMetrics
  /** Stops the event-loop lag probe. */
  stop(): void
}

export interface SelfMetricsOptions {
  /** Version string for `promregator_build_info`. */
  version?: string
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Creates the registry with every own metric. `lastRefresh` feeds the age gauge at collection time. */
export function createSelfMetrics(lastRefresh: () => number | undefined, now: () => number = Date.now, options: SelfMetricsOptions = {}): SelfMetrics {
  const registry = new Registry()
  registry.gauge('promregator_build_info', 'Always 1; the version of this Promregator as a label.', {
    compute: () => [{ labels: { version: options.version ?? 'dev' }, value: 1 }],
  })
  const processMetrics = registerProcessMetrics(registry)
  const http = registerHttpMetrics(registry)
  const handles: SelfMetrics = {
    registry,
    http,
    platforms: registerPlatformApiMetrics(registry, now),
    stop: () => processMetrics.stop(),
    scrapes: registry.counter('promregator_scrapes', 'Scrapes of app instances by outcome.'),
    scrapeErrors: registry.counter('promregator_scrape_errors', 'Failed scrapes of app instances by reason.'),
    scrapeDuration: registry.histogram('promregator_instance_scrape_duration_seconds', 'Duration of scrapes of app instances, by outcome.', DURATION_BUCKETS, 'seconds'),
    mergeConflicts: registry.counter('promregator_merge_conflicts', 'Metric families dropped from /metrics because their TYPE conflicted with the first one seen.'),
    discoveryRefreshes: registry.counter('promregator_discovery_refreshes', 'Discovery runs by outcome.'),
    invalidations: registry.counter('promregator_cache_invalidations', 'Requests to /cache/invalidate.'),
    invalidationRefreshes: registry.counter('promregator_cache_invalidation_refreshes', 'Discovery refreshes caused by /cache/invalidate (requests coalesce, so fewer than the requests).'),
    discoveryDocumentBuilds: registry.counter('promregator_discovery_document_builds', 'Serialisations of the /discovery document: one per picture of targets (and advertised address), served from memory in between.'),
    discoveryDuration: registry.gauge('promregator_discovery_duration_seconds', 'Duration of the last discovery run.', { unit: 'seconds' }),
    targetsDiscovered: registry.gauge('promregator_discovery_targets', 'App instances known to discovery.'),
    unscrapedApps: registry.gauge('promregator_discovery_unscraped_apps', 'Selected apps that yield no target: no route that can address one instance, or a deployment the router cannot address process by process. The status page lists them with the reason.'),
  }
  // Read at collection time only: nothing holds a handle to it.
  registry.gauge('promregator_discovery_age_seconds', 'Age of the picture of targets being served.', {
    unit: 'seconds',
    compute: () => {
      const at = lastRefresh()
      return at === undefined ? [] : [{ value: (now() - at) / 1000 }]
    },
  })
  return handles
}
