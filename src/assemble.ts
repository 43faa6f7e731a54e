/**
 * @module assemble
 * Builds the whole pipeline from a validated configuration: platforms → targets → scraper → HTTP
 * app, with the own metrics and the outcome store observing it. Runtime-agnostic (only Web APIs),
 * so tests assemble exactly what the binary runs, with their own `fetch` and logger.
 */
import type { Hono } from 'hono'
import { SECRET_KEYS } from './config/env-overrides.ts'
import type { Config } from './config/schema.ts'
import { secretValues } from './config/secret-keys.ts'
import { createApp } from './http/app.ts'
import { inboundAuthSettings, type InboundAuthSettings } from './http/middleware/auth.ts'
import type { Compressor } from './http/middleware/compression.ts'
import { redact, type Logger } from './log.ts'
import { fetchThroughProxy, proxyUrlOf } from './net/proxy.ts'
import { secretCapturingFetch } from './net/secret-capture.ts'
import { createPlatforms, type PlatformsDeps } from './platform/index.ts'
import type { Platform } from './platform/types.ts'
import { basicAuthenticator, createAuthenticator, noAuthenticator } from './scrape/auth/index.ts'
import { limitConcurrency } from './scrape/limits.ts'
import { createScraper } from './scrape/scraper.ts'
import type { Authenticator, Scraper } from './scrape/types.ts'
import { SecretRegistry } from './secrets.ts'
import { createSelfMetrics, type SelfMetrics } from './self/metrics.ts'
import { createScrapeOutcomes, type ScrapeOutcomes } from './self/scrape-outcomes.ts'
import { createReplicas, type Replicas } from './self/replicas.ts'
import { createScrapeRecorder } from './self/scrape-recorder.ts'
import { combinePlatforms, type CombinedPlatforms } from './targets/combine.ts'
import { createInvalidationGate, type InvalidationGate } from './targets/invalidation.ts'
import { startRefreshLoop } from './targets/refresh.ts'
import { createTargetStore } from './targets/store.ts'
import type { TargetStore } from './targets/types.ts'

export interface AssembleOptions {
  /** Outbound fetch for platform APIs, token services and targets. */
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
  /** Full garbage collection, run after large platform API responses and `/metrics` answers (the Bun entry passes `Bun.gc(true)`). */
  collectGarbage?: () => void
  /** Whole-body compressor for gzip/deflate responses (default: `CompressionStream`). */
  compressor?: Compressor
  /** `fetch` honours Bun's `decompress: false`, so scraped bodies are inflated within `maxResponseSize` (scrape/body.ts). */
  bodiesAsSent?: boolean
  /** Builds the platform entries (default: every entry the configuration names, platform/index.ts). */
  platforms?: (config: Config, deps: PlatformsDeps) => Platform[]
  /** The process's environment: a platform reads from it whether the product runs on it (Cloud Foundry: `VCAP_APPLICATION`). */
  env?: Readonly<Record<string, string | undefined>>
}

export interface Assembled {
  app: Hono
  /** The picture of targets (refreshed on demand; {@link startDiscovery} schedules it). */
  targets: TargetStore
  platforms: CombinedPlatforms
  /** Where `/cache/invalidate` requests go: coalesced, spaced-out refreshes. */
  invalidation: InvalidationGate
  metrics: SelfMetrics
  instanceId: string
  /** Inbound auth; `user.generated` tells the caller to print the password once. */
  auth: InboundAuthSettings
  secrets: SecretRegistry
  outcomes: ScrapeOutcomes
  /** Starts periodic discovery; returns the function that stops it. */
  startDiscovery(): () => void
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
  const secrets = options.secrets ?? new SecretRegistry(configSecrets(config))
  const auth = inboundAuthSettings(config.promregator, options.generatePassword)
  if (auth.user) secrets.add(auth.user.password)
  // Read at collection time only, when `targets` exists.
  const metrics = createSelfMetrics(() => targets.status().refreshedAt, now, { version: options.version })
  // Requests to platform APIs and token services are counted and their credentials learned as
  // secrets on the way. Scrapes are only counted: what they send is an authenticator's, whose
  // secrets are registered below, so the hot path does not look into every request.
  const scrapeFetch = metrics.http.countOutbound(options.fetch)
  const apiFetch = metrics.http.countOutbound(secretCapturingFetch(options.fetch, secrets))

  const entries = (options.platforms ?? createPlatforms)(config, {
    fetch: apiFetch,
    logger,
    now,
    collectGarbage: options.collectGarbage,
    env: options.env,
    routerFetch: fetchThroughProxy(scrapeFetch, proxyUrlOf(config.promregator.scraping.proxy)),
    observerFor: (kind) => metrics.platforms.observerFor(kind, API_NAMES[kind] ?? { api: `the ${kind} API`, tokens: `the ${kind} token service` }),
  })
  // What the product answers (status page, its JSON) must not carry a secret a peer echoed.
  const scrub = (text: string): string => redact(text, secrets.forms())
  const platforms = combinePlatforms(entries, { logger, now, redact: scrub })
  metrics.platforms.watchEntries(entries.length > 1, () => platforms.states())
  const targets = createTargetStore({ source: platforms, logger, now })
  const outcomes = createScrapeOutcomes({ now, redact: scrub })
  targets.subscribe(({ ok, durationMs, snapshot }) => {
    metrics.discoveryRefreshes.inc({ outcome: ok ? 'success' : 'failure' })
    metrics.discoveryDuration.set({}, durationMs / 1000)
    metrics.targetsDiscovered.set({}, snapshot.targets.length)
    metrics.unscrapedApps.set({}, snapshot.problems.length)
    // Outcomes of targets that are gone would only be shown nowhere and kept forever.
    if (ok) outcomes.retain(snapshot.byId)
    options.onRefresh?.()
  })
  const intervalMs = Math.min(config.promregator.discovery.refreshInterval * 1000, platforms.refreshIntervalMs)

  // Token services are reached directly (no proxy); Bun's fetch understands the `tls` option of mTLS.
  const authDeps = { fetch: apiFetch, now, onToken: (token: string) => secrets.add(token) }
  const globalAuth = createAuthenticator(config.promregator.authenticator, authDeps)
  const namedAuth = new Map<string, Authenticator>(config.promregator.targetAuthenticators.map((a) => [a.id, createAuthenticator(a, authDeps)]))
  for (const authenticator of [globalAuth, ...namedAuth.values()]) for (const secret of authenticator.secrets) secrets.add(secret)
  const scraping = config.promregator.scraping
  const scraperOptions = {
    fetch: scrapeFetch,
    proxyUrl: proxyUrlOf(scraping.proxy),
    proxyPrivateNetwork: scraping.proxyInternalRoutes,
    bodiesAsSent: options.bodiesAsSent,
    maxBodyBytes: scraping.maxResponseSize,
    maxRedirects: scraping.maxRedirects,
    connectionTimeoutMs: Math.min(scraping.connectionTimeout, scraping.maxProcessingTime),
    socketReadTimeoutMs: Math.min(scraping.socketReadTimeout, scraping.maxProcessingTime),
    maxProcessingTimeMs: scraping.maxProcessingTime,
    instanceId,
  }
  const scraper = limitConcurrency(
    createScraper({ ...scraperOptions, authenticatorFor: (t) => (t.authenticatorId ? (namedAuth.get(t.authenticatorId) ?? globalAuth) : globalAuth) }),
    scraping.threads,
  )
  const replicas = replicasOf(entries, { logger, auth, scraper: (authenticator) => createScraper({ ...scraperOptions, authenticatorFor: () => authenticator }) })
  targets.subscribe(() => void replicas?.refresh())

  const invalidation = createInvalidationGate(targets, {
    minIntervalMs: config.promregator.cache.invalidate.minInterval * 1000,
    now,
    onRequest: () => metrics.invalidations.inc(),
    onRefresh: () => {
      metrics.invalidationRefreshes.inc()
      logger.info('cache invalidated; refreshing discovery')
    },
  })
  let draining = false
  const recorder = createScrapeRecorder({ outcomes, metrics, logger })
  const app = createApp({
    config,
    targets,
    invalidation,
    platformStates: () => platforms.states(),
    scraper,
    metrics,
    recorder,
    logger,
    instanceId,
    version: options.version ?? 'dev',
    outcomes,
    auth,
    draining: () => draining,
    now,
    compressor: options.compressor,
    collectGarbage: options.collectGarbage,
    replicas,
  })
  return {
    app,
    targets,
    platforms,
    invalidation,
    metrics,
    instanceId,
    auth,
    secrets,
    outcomes,
    startDiscovery: () => startRefreshLoop(targets, { intervalMs, retryMs: Math.min(10_000, intervalMs) }),
    beginShutdown: () => void (draining = true),
    stop: () => metrics.stop(),
  }
}

/**
 * The instances of the product's own app, when a platform entry says the product runs on it: their
 * own metrics are fetched with the credentials this process demands on `/promregatorMetrics` (every
 * instance has the same configuration).
 */
function replicasOf(entries: Platform[], deps: { logger: Logger; auth: InboundAuthSettings; scraper: (authenticator: Authenticator) => Scraper }): Replicas | undefined {
  const source = entries.find((p) => p.ownInstances)?.ownInstances
  if (!source) return undefined
  const { user, groups } = deps.auth
  const authenticator = groups.metrics === 'BASIC' && user ? basicAuthenticator(user.username, user.password) : noAuthenticator
  if (groups.metrics === 'BASIC' && user?.generated) {
    deps.logger.warn('promregator.metrics.auth is BASIC with a generated password, which differs between instances: set promregator.authentication.basic.password so that instances can fetch each other\'s own metrics')
  }
  return createReplicas({ source, logger: deps.logger, scraper: deps.scraper(authenticator) })
}

/** What each kind of platform's API is called in the own metrics' help texts. */
const API_NAMES: Record<string, { api: string; tokens: string }> = {
  cf: { api: 'the Cloud Controller', tokens: 'UAA' },
  heroku: { api: 'the Heroku Platform API', tokens: 'the Heroku token service' },
}

/** Every configured secret (the value of each key the schema marks `secret(...)`), for redaction. */
export function configSecrets(config: Config): string[] {
  return secretValues(config, SECRET_KEYS)
}
