/**
 * @module simulator/landscapes
 * Ready-made landscapes: the small demo foundation (every interesting case once: several
 * instances, an internal route, a stopped app, a crashed instance, basic auth, OpenMetrics, a
 * custom path), a generator of big foundations for benchmarks, and the one-org-one-space
 * landscape most tests describe.
 */
import type { Landscape, SimApp } from './types.ts'

/** Basic-auth credentials of the demo's secured app. */
export const DEMO_METRICS_CREDENTIALS = { username: 'metrics', password: 'metrics-secret' }

/**
 * One org holding one space with `apps`: the landscape most tests need, with the org and space
 * names still written where the test reads them. `rest` sets the other fields (users, domains).
 */
export function oneSpace(org: string, space: string, apps: SimApp[], rest: Omit<Landscape, 'orgs'> = {}): Landscape {
  return { ...rest, orgs: [{ name: org, spaces: [{ name: space, apps }] }] }
}

/** A fixed, valid lowercase UUID so the demo's guids never change between runs. */
function demoGuid(kind: number, n: number): string {
  return `d${kind.toString(16).padStart(7, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`
}

const scrape = { 'prometheus-scrape': 'true' }

/** The demo foundation: 2 orgs, 3 spaces, 7 apps. */
export function demoLandscape(): Landscape {
  const app = (n: number, spec: SimApp): SimApp => ({ guid: demoGuid(3, n), ...spec })
  return {
    orgs: [
      {
        name: 'acme',
        guid: demoGuid(1, 1),
        spaces: [
          {
            name: 'dev',
            guid: demoGuid(2, 1),
            apps: [
              app(1, { name: 'web-shop', instances: 3, routes: [{ host: 'web-shop' }], labels: { ...scrape, team: 'shop' } }),
              app(2, { name: 'checkout', instances: 2, instanceStates: ['RUNNING', 'CRASHED'], routes: [{ host: 'checkout' }], labels: { ...scrape, team: 'shop' } }),
            ],
          },
          {
            name: 'prod',
            guid: demoGuid(2, 2),
            apps: [
              app(3, { name: 'billing', instances: 2, routes: [{ host: 'billing' }], labels: { ...scrape, team: 'finance' }, basicAuth: DEMO_METRICS_CREDENTIALS }),
              app(4, { name: 'legacy-batch', state: 'STOPPED', instances: 1, routes: [{ host: 'legacy-batch' }], labels: { team: 'finance' } }),
              app(5, { name: 'catalog', instances: 2, routes: [{ host: 'catalog' }], labels: { ...scrape, team: 'shop' }, metricsPath: '/actuator/prometheus', format: 'openmetrics' }),
            ],
          },
        ],
      },
      {
        name: 'globex',
        guid: demoGuid(1, 2),
        spaces: [
          {
            name: 'tools',
            guid: demoGuid(2, 3),
            apps: [
              app(6, { name: 'inventory', instances: 3, routes: [{ host: 'inventory', domain: 'apps.internal' }], labels: { ...scrape, team: 'ops' } }),
              app(7, { name: 'reporting', instances: 1, routes: [{ host: 'reporting' }], labels: { team: 'ops' } }),
            ],
          },
        ],
      },
    ],
  }
}

export interface BigLandscapeOptions {
  /** Number of apps (e.g. 10,000). */
  apps: number
  instancesPerApp?: number
  /** Number of spaces the apps are spread over (default: one per 100 apps). */
  spaces?: number
  /** Number of orgs the spaces are spread over (default: one per 10 spaces). */
  orgs?: number
  /** Share of apps (0..1) that get an internal route instead of an external one (default 0). */
  internalShare?: number
}

function counterGuid(kind: number, n: number): string {
  return `b${kind.toString(16).padStart(7, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`
}

/**
 * A big foundation for benchmarks: apps `app-<n>` spread round-robin over `space-<n>` in
 * `org-<n>`, each labelled `prometheus-scrape=true` with one route `app-<n>`. Guids are derived
 * from counters (no randomness) so runs are comparable and generation takes milliseconds.
 */
export function bigLandscape(options: BigLandscapeOptions): Landscape {
  const spaceCount = Math.max(1, options.spaces ?? Math.ceil(options.apps / 100))
  const orgCount = Math.max(1, Math.min(spaceCount, options.orgs ?? Math.ceil(spaceCount / 10)))
  const internalEvery = options.internalShare && options.internalShare > 0 ? Math.round(1 / options.internalShare) : 0
  const orgs: Landscape['orgs'] = Array.from({ length: orgCount }, (_, o) => ({ name: `org-${o}`, guid: counterGuid(1, o), spaces: [] }))
  const spaces = Array.from({ length: spaceCount }, (_, s) => {
    const space = { name: `space-${s}`, guid: counterGuid(2, s), apps: [] as SimApp[] }
    orgs[s % orgCount]?.spaces.push(space)
    return space
  })
  for (let n = 0; n < options.apps; n++) {
    const internal = internalEvery > 0 && n % internalEvery === 0
    spaces[n % spaceCount]?.apps.push({
      name: `app-${n}`,
      guid: counterGuid(3, n),
      instances: options.instancesPerApp ?? 1,
      routes: [internal ? { host: `app-${n}`, domain: 'apps.internal' } : { host: `app-${n}` }],
      labels: { 'prometheus-scrape': 'true' },
    })
  }
  return { orgs }
}
