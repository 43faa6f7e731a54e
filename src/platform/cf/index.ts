/**
 * @module platform/cf
 * Cloud Foundry behind the platform seam: one {@link Platform} per foundation of the `cf` section,
 * each with its own Cloud Controller client and UAA login (through `cf.proxy` when set), its
 * resolver with the per-class caches (`cf.cache.timeout.*`), and route choice. Apps are stamped
 * with their foundation's name when more than one platform entry is configured.
 */
import type { Config } from '../../config/schema.ts'
import { fetchThroughProxy, proxyUrlOf } from '../../net/proxy.ts'
import type { Platform, PlatformDeps } from '../types.ts'
import { createFoundationClient, foundationsOf, type Foundation } from './foundations.ts'
import { classesToInvalidate } from './invalidate.ts'
import { createCfDiscoverer, type CacheTimeouts } from './resolve.ts'
import { createTargetBuilder } from './targets.ts'
import { RESOURCE_CLASSES } from './types.ts'

/** One platform entry per configured foundation. */
export function createCfPlatforms(config: Config, deps: PlatformDeps): Platform[] {
  const targets = config.promregator.targets.map((target, index) => ({ index, target }))
  return foundationsOf(config).map((foundation) =>
    createFoundationPlatform(foundation, {
      ...deps,
      // With one platform entry every target is its own; with several each names its entry.
      targets: targets.filter(({ target }) => !deps.labelled || target.foundation === foundation.name),
      config,
    }),
  )
}

function createFoundationPlatform(foundation: Foundation, deps: PlatformDeps & { targets: Parameters<typeof createCfDiscoverer>[0]['targets']; config: Config }): Platform {
  const { settings, name } = foundation
  const client = createFoundationClient(foundation, {
    // `cf.proxy` carries Cloud Controller and UAA traffic only (scrapes have their own).
    fetch: fetchThroughProxy(deps.fetch, proxyUrlOf(settings.proxy)),
    now: deps.now,
    onRequest: (event) => deps.observer?.apiRequest(name, event),
    onTokenRequest: (grant, outcome) => deps.observer?.tokenRequest(name, grant, outcome),
    collectGarbage: deps.collectGarbage,
    onNote: (message) => deps.logger.warn(message, { foundation: name }),
  })
  const cacheTimeouts = Object.fromEntries(RESOURCE_CLASSES.map((cls) => [cls, settings.cache.timeout[cls] * 1000])) as CacheTimeouts
  const discoverer = createCfDiscoverer({
    client,
    targets: deps.targets,
    logger: deps.logger,
    cacheTimeouts,
    requestTimeouts: settings.request.timeout,
    now: deps.now,
  })
  const toTargets = createTargetBuilder({ targets: deps.config.promregator.targets, defaultInternalRoutePort: deps.config.promregator.defaultInternalRoutePort, logger: deps.logger })
  return {
    name,
    refreshIntervalMs: Math.min(...Object.values(cacheTimeouts)),
    async discover() {
      const apps = await discoverer.discover()
      return toTargets(deps.labelled ? apps.map((app) => ({ ...app, foundation: name })) : apps)
    },
    invalidate: (request) => discoverer.invalidate(request && classesToInvalidate(request)),
    info: () => ({ kind: 'cf', api: client.apiUrl, notes: [] }),
  }
}
