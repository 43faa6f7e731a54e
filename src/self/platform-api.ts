/**
 * @module self/platform-api
 * Own metrics of the platforms' APIs: requests by endpoint and status with their latency, token
 * requests by grant and outcome (named after the platform kind, so Cloud Foundry keeps the
 * original names `promregator_cf_requests_total`, ...), and, with several platform entries, the
 * age of each entry's last good discovery. The `foundation` label appears only when more than one
 * entry is configured, so a single-foundation setup keeps the original's label sets.
 */
import type { PlatformObserver } from '../platform/types.ts'
import type { Registry } from './registry.ts'

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/** What one kind of platform's API is called in the metrics' help texts. */
export interface ApiNames {
  /** The API, e.g. `the Cloud Controller`. */
  api: string
  /** The token service, e.g. `UAA`. */
  tokens: string
}

/** Handles to record platform API traffic. */
export interface PlatformApiMetrics {
  /** The observer a platform of `kind` reports to; registers that kind's metrics on first call. */
  observerFor(kind: string, names: ApiNames): PlatformObserver
  /**
   * Names the entries' last successful discoveries (ms since epoch) for the per-entry age gauge,
   * and whether the `foundation` label is used at all.
   */
  watchEntries(labelled: boolean, lastSuccess: () => Array<{ name: string; lastSuccessAt?: number }>): void
}

/** Registers the per-entry age gauge on `registry`; the per-kind metrics come with {@link PlatformApiMetrics.observerFor}. */
export function registerPlatformApiMetrics(registry: Registry, now: () => number = Date.now): PlatformApiMetrics {
  let labelled = false
  let lastSuccess: () => Array<{ name: string; lastSuccessAt?: number }> = () => []
  const withFoundation = (foundation: string, labels: Record<string, string>) => (labelled ? { ...labels, foundation } : labels)
  const observers = new Map<string, PlatformObserver>()
  registry.gauge('promregator_discovery_foundation_age_seconds', 'Age of the last good discovery of each foundation (only with several foundations).', {
    unit: 'seconds',
    compute: () =>
      labelled
        ? lastSuccess()
            .filter((f) => f.lastSuccessAt !== undefined)
            .map((f) => ({ labels: { foundation: f.name }, value: (now() - f.lastSuccessAt!) / 1000 }))
        : [],
  })
  return {
    observerFor(kind, names) {
      const known = observers.get(kind)
      if (known) return known
      const requests = registry.counter(`promregator_${kind}_requests`, `HTTP requests to ${names.api} by endpoint and status (\`error\`: no answer).`)
      const latency = registry.histogram(`promregator_${kind}_request_duration_seconds`, `Latency of HTTP requests to ${names.api} by endpoint.`, LATENCY_BUCKETS, 'seconds')
      const tokens = registry.counter(`promregator_${kind}_token_requests`, `Token requests to ${names.tokens} by grant type and outcome (a login, a refresh, a re-login after a 401).`)
      const observer: PlatformObserver = {
        apiRequest(entry, event) {
          requests.inc(withFoundation(entry, { endpoint: event.endpoint, status: String(event.status) }))
          latency.observe(withFoundation(entry, { endpoint: event.endpoint }), event.durationMs / 1000)
        },
        tokenRequest(entry, grant, outcome) {
          tokens.inc(withFoundation(entry, { grant, outcome }))
        },
      }
      observers.set(kind, observer)
      return observer
    },
    watchEntries(useLabel, source) {
      labelled = useLabel
      lastSuccess = source
    },
  }
}
