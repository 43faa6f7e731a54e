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
import { isOwnFoundation, ownInstances, ownRoute, readOwnApp, type OwnApp } from './own-app.ts'
import { createProcessHeaderSupport } from './process-header.ts'
import { createCfDiscoverer, type CacheTimeouts } from './resolve.ts'
import { createTargetBuilder, routedUrlOf } from './targets.ts'
import { RESOURCE_CLASSES } from './types.ts'

/** One platform entry per configured foundation. */
export function createCfPlatforms(config: Config, deps: PlatformDeps): Platform[] {
  const targets = config.promregator.targets.map((target, index) => ({ index, target }))
  const ownApp = ownAppOf(config, deps)
  const platforms = foundationsOf(config).map((foundation) =>
    createFoundationPlatform(foundation, {
      ...deps,
      // With one platform entry every target is its own; with several each names its entry.
      targets: targets.filter(({ target }) => !deps.labelled || target.foundation === foundation.name),
      config,
      ownApp,
    }),
  )
  if (ownApp && !platforms.some((p) => p.ownInstances)) {
    deps.logger.warn('this process runs on Cloud Foundry, but its Cloud Controller (VCAP_APPLICATION.cf_api) is none of the configured foundations: /promregatorMetrics/instances/<index> is not offered', { cf_api: ownApp.api ?? '' })
  }
  return platforms
}

/** The product's own app, when it runs on Cloud Foundry and the own metrics of every instance are wanted. */
function ownAppOf(config: Config, deps: PlatformDeps): OwnApp | undefined {
  const settings = config.promregator.metrics.replicas
  if (!settings.enabled || !deps.env) return undefined
  const own = readOwnApp(deps.env)
  if (own === undefined) return undefined
  if ('problem' in own) {
    deps.logger.warn(`own metrics of the other instances not offered: ${own.problem}`)
    return undefined
  }
  if (ownRoute(own, settings.route) === undefined) {
    deps.logger.warn('own metrics of the other instances not offered: the app has no external route (VCAP_APPLICATION.application_uris); set promregator.metrics.replicas.route')
    return undefined
  }
  return own
}

function createFoundationPlatform(foundation: Foundation, deps: PlatformDeps & { targets: Parameters<typeof createCfDiscoverer>[0]['targets']; config: Config; ownApp?: OwnApp }): Platform {
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
  const configuredTargets = deps.config.promregator.targets
  const toTargets = createTargetBuilder({ targets: configuredTargets, defaultInternalRoutePort: deps.config.promregator.defaultInternalRoutePort, logger: deps.logger })
  const processHeader = createProcessHeaderSupport({ mode: settings.processInstanceHeader, fetch: deps.routerFetch, logger: deps.logger, foundation: name, now: deps.now })
  return {
    name,
    refreshIntervalMs: Math.min(...Object.values(cacheTimeouts)),
    async discover() {
      const apps = await discoverer.discover()
      const byProcess = await processHeader.resolve(apps, (app) => routedUrlOf(app, configuredTargets))
      return toTargets(deps.labelled ? apps.map((app) => ({ ...app, foundation: name })) : apps, byProcess)
    },
    invalidate: (request) => discoverer.invalidate(request && classesToInvalidate(request)),
    info: () => {
      const note = processHeader.note()
      return { kind: 'cf', api: client.apiUrl, notes: note ? [note] : [] }
    },
    ownInstances:
      deps.ownApp && isOwnFoundation(deps.ownApp, client.apiUrl)
        ? ownInstances({
            app: deps.ownApp,
            route: ownRoute(deps.ownApp, deps.config.promregator.metrics.replicas.route)!,
            client,
            settings: deps.config.promregator.metrics.replicas,
            foundation: deps.labelled ? name : undefined,
          })
        : undefined,
  }
}
