/**
 * @module self/cf
 * Own metrics of the Cloud Controller side: requests by endpoint and status, their latency,
 * UAA token requests by grant and outcome, and, with several foundations, the age of each
 * foundation's last good discovery. The `foundation` label appears only when more than one
 * foundation is configured, so a single-foundation setup keeps the original's label sets.
 */
import type { CfRequestEvent } from '../cf/client.ts'
import type { Registry } from './registry.ts'

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/** Handles to record Cloud Controller and UAA traffic. */
export interface CfMetrics {
  /** Records one HTTP attempt to the Cloud Controller. */
  request(foundation: string, event: CfRequestEvent): void
  /** Records one token request to UAA (`grant`: password, refresh_token, client_credentials). */
  tokenRequest(foundation: string, grant: string, outcome: 'ok' | 'error'): void
  /**
   * Names the foundations' last successful discoveries (ms since epoch) for the per-foundation
   * age gauge, and whether the `foundation` label is used at all.
   */
  watchFoundations(labelled: boolean, lastSuccess: () => Array<{ name: string; lastSuccessAt?: number }>): void
}

/** Registers the Cloud Controller metrics on `registry`. */
export function registerCfMetrics(registry: Registry, now: () => number = Date.now): CfMetrics {
  let labelled = false
  let lastSuccess: () => Array<{ name: string; lastSuccessAt?: number }> = () => []
  const withFoundation = (foundation: string, labels: Record<string, string>) => (labelled ? { ...labels, foundation } : labels)
  const requests = registry.counter('promregator_cf_requests', 'HTTP requests to the Cloud Controller by endpoint and status (`error`: no answer).')
  const latency = registry.histogram('promregator_cf_request_duration_seconds', 'Latency of HTTP requests to the Cloud Controller by endpoint.', LATENCY_BUCKETS, 'seconds')
  const tokens = registry.counter('promregator_cf_token_requests', 'Token requests to UAA by grant type and outcome (a login, a refresh, a re-login after a 401).')
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
    request(foundation, event) {
      requests.inc(withFoundation(foundation, { endpoint: event.endpoint, status: String(event.status) }))
      latency.observe(withFoundation(foundation, { endpoint: event.endpoint }), event.durationMs / 1000)
    },
    tokenRequest(foundation, grant, outcome) {
      tokens.inc(withFoundation(foundation, { grant, outcome }))
    },
    watchFoundations(useLabel, source) {
      labelled = useLabel
      lastSuccess = source
    },
  }
}
