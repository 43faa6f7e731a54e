/**
 * @module platform/cf/targets
 * Turns every discovered app into scrape targets with the routing options of the configured
 * target that selected it, and tells the operator, once, about an app that cannot be scraped
 * because it has no route (it is also listed as a problem of the discovery, for the status page).
 */
import type { TargetConfig } from '../../config/schema.ts'
import type { Logger } from '../../log.ts'
import type { Discovery } from '../types.ts'
import { chooseRoute, classifyApp, type RoutingOptions } from './routes.ts'
import type { DiscoveredApp } from './types.ts'

export interface TargetBuilderOptions {
  /** `promregator.targets`, indexed by `DiscoveredApp.targetIndex`. */
  targets: TargetConfig[]
  defaultInternalRoutePort: number
  logger: Logger
}

/** The routing options of one configured target. */
export function routingOptionsOf(target: TargetConfig, defaultInternalRoutePort: number): RoutingOptions {
  return {
    path: target.path,
    protocol: target.protocol ?? 'https',
    preferredRouteRegex: target.preferredRouteRegex,
    internalRoutePort: target.internalRoutePort,
    defaultInternalRoutePort,
    authenticatorId: target.authenticatorId,
    overrideRouteAndPath: target.overrideRouteAndPath,
  }
}

/** The URL an app is scraped at through the gorouter (its chosen external route), if it has one. */
export function routedUrlOf(app: DiscoveredApp, targets: TargetConfig[]): string | undefined {
  const target = targets[app.targetIndex]
  if (!target || target.overrideRouteAndPath) return undefined
  const route = chooseRoute(app.routes, target.preferredRouteRegex)
  if (!route || route.internal) return undefined
  return `${target.protocol ?? 'https'}://${route.url.replace(/\/+$/, '')}${app.metricsPath ?? target.path}`
}

/**
 * Returns a function from discovered apps to a {@link Discovery}; `processInstanceHeader`: the
 * router addresses process instances (apps in a deployment are scraped process by process). An
 * app that yields no target is warned about when it is first seen that way, not on every
 * discovery refresh; once it is scraped again (or gone) a later loss is warned about anew.
 */
export function createTargetBuilder(options: TargetBuilderOptions): (apps: DiscoveredApp[], processInstanceHeader?: boolean) => Discovery {
  let unroutable = new Set<string>()
  return (apps, processInstanceHeader = false) => {
    const nowUnroutable = new Set<string>()
    const discovery: Discovery = { targets: [], apps: apps.length, problems: [] }
    for (const app of apps) {
      const target = options.targets[app.targetIndex]
      if (!target) continue
      const result = classifyApp(app, { ...routingOptionsOf(target, options.defaultInternalRoutePort), processInstanceHeader })
      if (result.ok) {
        for (const t of result.targets) discovery.targets.push(t)
        continue
      }
      discovery.problems.push({ where: `${app.orgName}/${app.spaceName}`, app: app.appName, reason: result.reason })
      nowUnroutable.add(app.appGuid)
      if (!unroutable.has(app.appGuid)) {
        const advice = result.deployment ? '' : ': its instances are not scraped; map a route to the app or set overrideRouteAndPath on its target'
        options.logger.warn(`${result.reason}${advice}`, {
          org: app.orgName,
          space: app.spaceName,
          app: app.appName,
          app_guid: app.appGuid,
          target: app.targetIndex,
        })
      }
    }
    unroutable = nowUnroutable
    return discovery
  }
}
