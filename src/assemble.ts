/**
 * @module assemble
 * Builds the whole pipeline from a validated configuration: CF client → discovery → routing →
 * scraper → HTTP app. Runtime-agnostic (only Web APIs), so tests assemble exactly what the
 * binary runs, with their own `fetch` and logger.
 */
import type { Hono } from 'hono'
import { createCfClient } from './cf/client.ts'
import { createTokenProvider, type Grant } from './cf/uaa.ts'
import type { Config } from './config/schema.ts'
import { createTargetCache, type TargetCache } from './discovery/cache.ts'
import { createCfDiscoverer } from './discovery/resolve.ts'
import type { DiscoveredApp } from './discovery/types.ts'
import { createApp } from './http/app.ts'
import type { Logger } from './log.ts'
import { classifyApp, type ScrapeTarget } from './routing/classify.ts'
import { createAuthenticator, type Authenticator } from './scrape/auth.ts'
import { createScraper } from './scrape/scraper.ts'
import { createSelfMetrics, type SelfMetrics } from './self/metrics.ts'

export interface AssembleOptions {
  /** Outbound fetch for the Cloud Controller, UAA and targets. */
  fetch: typeof fetch
  logger: Logger
  instanceId?: string
  version?: string
  now?: () => number
}

export interface Assembled {
  app: Hono
  cache: TargetCache
  metrics: SelfMetrics
  instanceId: string
}

/** Wires every stage. Nothing is requested until the first discovery. */
export function assemble(config: Config, options: AssembleOptions): Assembled {
  const { logger } = options
  const now = options.now ?? Date.now
  const instanceId = options.instanceId ?? crypto.randomUUID()
  const cf = config.cf
  const grant: Grant = { kind: 'password', username: cf.username ?? '', password: cf.password ?? '' }
  const fetchOptions = cf.skipSslValidation ? { tls: { rejectUnauthorized: false } } : undefined
  const client = createCfClient({
    apiUrl: cf.api_host,
    fetch: options.fetch,
    tokens: (uaaUrl) => createTokenProvider({ uaaUrl, grant, fetch: options.fetch }),
    fetchOptions,
  })
  const discoverer = createCfDiscoverer({ client, targets: config.promregator.targets, logger })

  const toTargets = (apps: DiscoveredApp[]): ScrapeTarget[] =>
    apps.flatMap((app) => {
      const target = config.promregator.targets[app.targetIndex]!
      const result = classifyApp(app, {
        path: target.path,
        protocol: target.protocol,
        preferredRouteRegex: target.preferredRouteRegex,
        internalRoutePort: target.internalRoutePort,
        defaultInternalRoutePort: config.promregator.defaultInternalRoutePort,
        authenticatorId: target.authenticatorId,
      })
      if (!result.ok) logger.warn(`${result.reason}; not scraped`, { org: app.orgName, space: app.spaceName, app: app.appName })
      return result.ok ? result.targets : []
    })

  let metrics: SelfMetrics | undefined
  const cache = createTargetCache({
    discoverer,
    toTargets,
    intervalMs: config.promregator.discovery.refreshInterval * 1000,
    logger,
    now,
    onRefresh: ({ ok, durationMs, targets }) => {
      metrics?.discoveryRefreshes.inc({ outcome: ok ? 'success' : 'failure' })
      metrics?.discoveryDuration.set({}, durationMs / 1000)
      metrics?.targetsDiscovered.set({}, targets)
    },
  })
  metrics = createSelfMetrics(() => cache.status().refreshedAt, now)

  const globalAuth = createAuthenticator(config.promregator.authenticator)
  const namedAuth = new Map<string, Authenticator>(
    config.promregator.targetAuthenticators.map((a) => [a.id, createAuthenticator(a)]),
  )
  const scraping = config.promregator.scraping
  const scraper = createScraper({
    fetch: options.fetch,
    proxyUrl: scraping.proxy ? `http://${scraping.proxy.host}:${scraping.proxy.port}` : undefined,
    connectionTimeoutMs: Math.min(scraping.connectionTimeout, scraping.maxProcessingTime),
    socketReadTimeoutMs: Math.min(scraping.socketReadTimeout, scraping.maxProcessingTime),
    maxProcessingTimeMs: scraping.maxProcessingTime,
    instanceId,
    authenticatorFor: (t) => (t.authenticatorId ? (namedAuth.get(t.authenticatorId) ?? globalAuth) : globalAuth),
  })

  const app = createApp({ config, cache, scraper, metrics, logger, instanceId, version: options.version ?? 'dev' })
  return { app, cache, metrics, instanceId }
}

/** Every configured secret, for log redaction. */
export function configSecrets(config: Config): string[] {
  const out: string[] = []
  if (config.cf.password) out.push(config.cf.password)
  for (const a of [config.promregator.authenticator, ...config.promregator.targetAuthenticators]) {
    if (!a) continue
    if (a.basic?.password) out.push(a.basic.password)
    if (a.oauth2xsuaaBasic?.client_secret) out.push(a.oauth2xsuaaBasic.client_secret)
    if (a.oauth2xsuaaCertificate?.client_key) out.push(a.oauth2xsuaaCertificate.client_key)
  }
  return out
}
