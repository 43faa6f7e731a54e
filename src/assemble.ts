/**
 * @module assemble
 * Builds the whole pipeline from a validated configuration: CF client → discovery → routing →
 * scraper → HTTP app. Runtime-agnostic (only Web APIs), so tests assemble exactly what the
 * binary runs, with their own `fetch` and logger.
 */
import type { Hono } from 'hono'
import { foundationSecrets } from './cf/foundations.ts'
import type { Config } from './config/schema.ts'
import { createTargetCache, type TargetCache } from './discovery/cache.ts'
import { createDiscovery } from './discovery/foundations.ts'
import { createApp } from './http/app.ts'
import { inboundAuthSettings, type InboundAuthSettings } from './http/auth.ts'
import type { Compressor } from './http/compression.ts'
import { SecretRegistry, secretCapturingFetch } from './secrets.ts'
import { createScrapeOutcomes, type ScrapeOutcomes } from './self/scrape-outcomes.ts'
import type { Logger } from './log.ts'
import { fetchThroughProxy, proxyUrlOf } from './outbound-proxy.ts'
import { createTargetBuilder } from './routing/targets.ts'
import { createAuthenticator, type Authenticator } from './scrape/auth.ts'
import { limitConcurrency } from './scrape/limits.ts'
import { createScraper } from './scrape/scraper.ts'
import { createSelfMetrics, type SelfMetrics } from './self/metrics.ts'

export interface AssembleOptions {
  /** Outbound fetch for the Cloud Controller, UAA and targets. */
  fetch: typeof fetch
  logger: Logger
  instanceId?: string
  version?: string
  now?: () => number
  /** Secrets the loggers redact; tokens and credentials seen on outbound requests are added to it. Default: one seeded with {@link configSecrets}. */
  secrets?: SecretRegistry
  /** Password used when inbound BASIC auth is on and none is configured (default: a random UUID). */
  generatePassword?: () => string
  /** Called after every discovery refresh, successful or not (the Bun entry collects garbage there). */
  onRefresh?: () => void
  /** Full garbage collection, run after large Cloud Controller responses and `/metrics` answers (the Bun entry passes `Bun.gc(true)`). */
  collectGarbage?: () => void
  /** Whole-body compressor for gzip/deflate responses (default: `CompressionStream`). */
  compressor?: Compressor
}

export interface Assembled {
  app: Hono
  cache: TargetCache
  metrics: SelfMetrics
  instanceId: string
  /** Inbound auth; `user.generated` tells the caller to print the password once. */
  auth: InboundAuthSettings
  secrets: SecretRegistry
  outcomes: ScrapeOutcomes
  /** Marks the process as shutting down (`/-/ready` answers 503 from then on). */
  beginShutdown(): void
  /** Stops timers (event-loop probe). */
  stop(): void
}

/** Wires every stage. Nothing is requested until the first discovery. */
export function assemble(config: Config, options: AssembleOptions): Assembled {
  const { logger } = options
  const now = options.now ?? Date.now
  const instanceId = options.instanceId ?? crypto.randomUUID()
  const metrics: SelfMetrics = createSelfMetrics(() => cache.status().refreshedAt, now, { version: options.version })
  const secrets = options.secrets ?? new SecretRegistry(configSecrets(config))
  const auth = inboundAuthSettings(config.promregator, options.generatePassword)
  if (auth.user) secrets.add(auth.user.password)
  // Requests to the Cloud Controller, UAA and token services are counted and their credentials
  // learned as secrets on the way. Scrapes are only counted: what they send is an authenticator's,
  // whose secrets are registered below, so the hot path does not look into every request.
  const scrapeFetch = metrics.http.countOutbound(options.fetch)
  options = { ...options, fetch: metrics.http.countOutbound(secretCapturingFetch(options.fetch, secrets)) }
  // One client and resolver per foundation; `cf.proxy` carries Cloud Controller and UAA traffic only.
  const discovery = createDiscovery(config, {
    fetch: options.fetch,
    fetchFor: (cf) => fetchThroughProxy(options.fetch, proxyUrlOf(cf.proxy)),
    logger,
    now,
    onRequest: (foundation, event) => metrics.cf.request(foundation, event),
    onTokenRequest: (foundation, grant, outcome) => metrics.cf.tokenRequest(foundation, grant, outcome),
    collectGarbage: options.collectGarbage,
  })
  const discoverer = discovery.discoverer
  metrics.cf.watchFoundations(discoverer.labelled, () => discoverer.statuses())

  const toTargets = createTargetBuilder({ targets: config.promregator.targets, defaultInternalRoutePort: config.promregator.defaultInternalRoutePort, logger })

  const outcomes = createScrapeOutcomes({ now })
  const cache = createTargetCache({
    discoverer,
    toTargets,
    intervalMs: discovery.intervalMs,
    retryMs: discovery.retryMs,
    logger,
    now,
    onRefresh: ({ ok, durationMs, targets }) => {
      metrics?.discoveryRefreshes.inc({ outcome: ok ? 'success' : 'failure' })
      metrics?.discoveryDuration.set({}, durationMs / 1000)
      metrics?.targetsDiscovered.set({}, targets)
      // Outcomes of targets that are gone would only be shown nowhere and kept forever.
      if (ok) outcomes.retain(cache.peek().byId)
      options.onRefresh?.()
    },
  })

  // Token services are reached directly (no proxy); Bun's fetch understands the `tls` option of mTLS.
  const authDeps = { fetch: options.fetch, now, onToken: (token: string) => secrets.add(token) }
  const globalAuth = createAuthenticator(config.promregator.authenticator, authDeps)
  const namedAuth = new Map<string, Authenticator>(
    config.promregator.targetAuthenticators.map((a) => [a.id, createAuthenticator(a, authDeps)]),
  )
  for (const authenticator of [globalAuth, ...namedAuth.values()]) for (const secret of authenticator.secrets) secrets.add(secret)
  const scraping = config.promregator.scraping
  const scraper = limitConcurrency(createScraper({
    fetch: scrapeFetch,
    proxyUrl: proxyUrlOf(scraping.proxy),
    maxBodyBytes: scraping.maxResponseSize,
    maxRedirects: scraping.maxRedirects,
    connectionTimeoutMs: Math.min(scraping.connectionTimeout, scraping.maxProcessingTime),
    socketReadTimeoutMs: Math.min(scraping.socketReadTimeout, scraping.maxProcessingTime),
    maxProcessingTimeMs: scraping.maxProcessingTime,
    instanceId,
    authenticatorFor: (t) => (t.authenticatorId ? (namedAuth.get(t.authenticatorId) ?? globalAuth) : globalAuth),
  }), scraping.threads)

  let draining = false
  const app = createApp({ config, cache, scraper, metrics, logger, instanceId, version: options.version ?? 'dev', outcomes, auth, draining: () => draining, now, compressor: options.compressor, collectGarbage: options.collectGarbage })
  return { app, cache, metrics, instanceId, auth, secrets, outcomes, beginShutdown: () => void (draining = true), stop: () => metrics.stop() }
}

/** Every configured secret, for log redaction. */
export function configSecrets(config: Config): string[] {
  const out: string[] = []
  out.push(...foundationSecrets(config))
  for (const a of [config.promregator.authenticator, ...config.promregator.targetAuthenticators]) {
    if (!a) continue
    if (a.basic?.password) out.push(a.basic.password)
    if (a.oauth2xsuaaBasic?.client_secret) out.push(a.oauth2xsuaaBasic.client_secret)
    if (a.oauth2xsuaaCertificate?.client_key) out.push(a.oauth2xsuaaCertificate.client_key)
  }
  return out
}
