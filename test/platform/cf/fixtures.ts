/**
 * @module test/routing/fixtures
 * What the routing tests classify: routes on an external and an internal domain, one discovered
 * app (`app1` in org1/dev, guid 1cb006ee-…, 2 instances) and routing options with the defaults.
 */
import type { DiscoveredApp, DiscoveredRoute } from '../../../src/platform/cf/types.ts'
import type { RoutingOptions } from '../../../src/platform/cf/routes.ts'

/** Route `<host>.apps.example.org<path>` on the external domain. */
export const external = (host: string, path = ''): DiscoveredRoute => ({ url: `${host}.apps.example.org${path}`, host, path, domain: 'apps.example.org', internal: false })

/** Route `<host>.apps.internal` on the internal domain. */
export const internal = (host: string): DiscoveredRoute => ({ url: `${host}.apps.internal`, host, path: '', domain: 'apps.internal', internal: true })

/** The discovered app `app1` of org1/dev with 2 instances and `routes`; `overrides` replace any other field. */
export const app = (routes: DiscoveredRoute[], overrides: Partial<DiscoveredApp> = {}): DiscoveredApp => ({
  targetIndex: 0,
  orgGuid: 'o',
  orgName: 'org1',
  spaceGuid: 's',
  spaceName: 'dev',
  appGuid: '1cb006ee-fb05-47e1-b541-c34179ddc446',
  appName: 'app1',
  labels: {},
  annotations: {},
  instances: 2,
  routes,
  ...overrides,
})

/** Routing options: path /metrics, https, no preferred route, internal port 8080; `extra` replaces any of them. */
export const routingOptions = (extra: Partial<RoutingOptions> = {}): RoutingOptions => ({ path: '/metrics', protocol: 'https', preferredRouteRegex: [], defaultInternalRoutePort: 8080, ...extra })
