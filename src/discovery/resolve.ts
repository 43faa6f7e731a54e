/**
 * @module discovery/resolve
 * Targets → apps on Cloud Foundry. The cost grows with pages, not with apps: orgs, spaces, apps,
 * routes (with their domains joined) and web processes are each read as filtered collections,
 * 5,000 per page, with long GUID lists split so that no URL grows past a few KB.
 */
import pLimit from 'p-limit'
import type { TargetConfig } from '../config/schema.ts'
import type { CfClient } from '../cf/client.ts'
import {
  appSchema,
  domainSchema,
  organizationSchema,
  processSchema,
  routeSchema,
  spaceSchema,
  stringMap,
  type CfApp,
  type CfDomain,
  type CfOrganization,
  type CfProcess,
  type CfRoute,
  type CfSpace,
} from '../cf/types.ts'
import type { Logger } from '../log.ts'
import { nameMatcher, type NameMatcher } from './match.ts'
import type { DiscoveredApp, DiscoveredRoute, Discoverer } from './types.ts'

/** GUIDs per filter value: 150 × 37 characters keeps a query string near 5.5 KB. */
const GUIDS_PER_REQUEST = 150
/** Up to this many selected apps, routes and processes are asked for by app GUID. */
const NARROW_SELECTION = 300

export interface ResolveOptions {
  client: CfClient
  targets: TargetConfig[]
  logger: Logger
  concurrency?: number
}

interface TargetMatchers {
  org: NameMatcher
  space: NameMatcher
  app: NameMatcher
}

/** Creates a discoverer that resolves all targets with one pass over the API. */
export function createCfDiscoverer(options: ResolveOptions): Discoverer {
  const matchers: TargetMatchers[] = options.targets.map((t) => ({
    org: nameMatcher(t.orgName, t.orgRegex),
    space: nameMatcher(t.spaceName, t.spaceRegex),
    app: nameMatcher(t.applicationName, t.applicationRegex),
  }))
  return { discover: () => resolveTargets(options, matchers) }
}

async function resolveTargets(options: ResolveOptions, matchers: TargetMatchers[]): Promise<DiscoveredApp[]> {
  const { client, logger } = options
  const limit = pLimit(options.concurrency ?? 4)
  const listChunked = async <T,>(path: string, key: string, values: string[], query: Record<string, string>, schema: Parameters<CfClient['list']>[2]) => {
    const chunks = chunk(unique(values), GUIDS_PER_REQUEST)
    const results = await Promise.all(chunks.map((c) => limit(() => client.list(path, { ...query, [key]: c.join(',') }, schema))))
    return {
      resources: results.flatMap((r) => r.resources) as T[],
      included: results.flatMap((r) => Object.entries(r.included)),
    }
  }
  if (matchers.length === 0) return []

  // Orgs: by name when every target names one, else all of them.
  const exactOrgs = matchers.map((m) => m.org.exact)
  const orgQuery: Record<string, string> = exactOrgs.every((n) => n !== undefined) ? { names: unique(exactOrgs as string[]).join(',') } : {}
  const orgs = (await client.list('/v3/organizations', orgQuery, organizationSchema)).resources as CfOrganization[]
  const orgsOf = matchers.map((m) => orgs.filter((o) => m.org(o.name)))
  const orgGuids = unique(orgsOf.flat().map((o) => o.guid))
  if (orgGuids.length === 0) return warnEmpty(options, 'no organization matches')

  // Spaces of the matched orgs.
  const spaces = (await listChunked<CfSpace>('/v3/spaces', 'organization_guids', orgGuids, {}, spaceSchema)).resources
  const spacesOf = matchers.map((m, i) => {
    const orgSet = new Set(orgsOf[i]!.map((o) => o.guid))
    return spaces.filter((s) => orgSet.has(s.relationships.organization.data?.guid ?? '') && m.space(s.name))
  })
  const spaceGuids = unique(spacesOf.flat().map((s) => s.guid))
  if (spaceGuids.length === 0) return warnEmpty(options, 'no space matches')

  // Started apps of the matched spaces.
  const apps = (await listChunked<CfApp>('/v3/apps', 'space_guids', spaceGuids, {}, appSchema)).resources.filter((a) => a.state === 'STARTED')
  const orgByGuid = new Map(orgs.map((o) => [o.guid, o]))
  const spaceByGuid = new Map(spaces.map((s) => [s.guid, s]))
  const selected = new Map<string, { app: CfApp; targetIndex: number }>()
  matchers.forEach((m, targetIndex) => {
    const spaceSet = new Set(spacesOf[targetIndex]!.map((s) => s.guid))
    for (const app of apps) {
      if (!spaceSet.has(app.relationships.space.data?.guid ?? '') || !m.app(app.name)) continue
      if (selected.has(app.guid)) {
        logger.debug('app selected by more than one target; the first one applies', { app: app.name, target: targetIndex })
        continue
      }
      selected.set(app.guid, { app, targetIndex })
    }
  })
  if (selected.size === 0) return warnEmpty(options, 'no started application matches')

  // Routes (domains joined) and web processes, by app GUID for a narrow selection, else by space.
  const narrow = selected.size <= NARROW_SELECTION
  const selectedSpaces = unique([...selected.values()].map((s) => s.app.relationships.space.data?.guid ?? ''))
  const [key, values] = narrow ? ['app_guids', [...selected.keys()]] : ['space_guids', selectedSpaces]
  const [routeResult, processResult] = await Promise.all([
    listChunked<CfRoute>('/v3/routes', key, values, { include: 'domain' }, routeSchema),
    listChunked<CfProcess>('/v3/processes', key, values, { types: 'web' }, processSchema),
  ])
  const domains = new Map<string, CfDomain>()
  for (const [kind, items] of routeResult.included) {
    if (kind !== 'domains') continue
    for (const item of items) {
      const parsed = domainSchema.safeParse(item)
      if (parsed.success) domains.set(parsed.data.guid, parsed.data)
    }
  }
  const routesByApp = groupRoutes(routeResult.resources, domains)
  const instancesByApp = new Map<string, number>()
  for (const p of processResult.resources) {
    const appGuid = p.relationships.app.data?.guid
    if (appGuid && p.type === 'web') instancesByApp.set(appGuid, p.instances)
  }

  const result: DiscoveredApp[] = []
  for (const { app, targetIndex } of selected.values()) {
    const space = spaceByGuid.get(app.relationships.space.data?.guid ?? '')
    const org = orgByGuid.get(space?.relationships.organization.data?.guid ?? '')
    if (!space || !org) continue
    const instances = instancesByApp.get(app.guid)
    if (instances === undefined) {
      logger.warn('app has no web process; not scraped', { org: org.name, space: space.name, app: app.name })
      continue
    }
    result.push({
      targetIndex,
      orgGuid: org.guid,
      orgName: org.name,
      spaceGuid: space.guid,
      spaceName: space.name,
      appGuid: app.guid,
      appName: app.name,
      labels: stringMap(app.metadata?.labels),
      annotations: stringMap(app.metadata?.annotations),
      instances,
      routes: routesByApp.get(app.guid) ?? [],
    })
  }
  return result
}

function groupRoutes(routes: CfRoute[], domains: Map<string, CfDomain>): Map<string, DiscoveredRoute[]> {
  const byApp = new Map<string, DiscoveredRoute[]>()
  for (const route of routes) {
    const domain = domains.get(route.relationships.domain.data?.guid ?? '')
    const discovered: DiscoveredRoute = {
      url: route.url,
      host: route.host,
      path: route.path,
      domain: domain?.name ?? route.url.slice(route.host ? route.host.length + 1 : 0).split('/')[0]!,
      internal: domain?.internal ?? false,
    }
    for (const appGuid of unique(route.destinations.filter((d) => (d.app.process?.type ?? 'web') === 'web').map((d) => d.app.guid))) {
      const list = byApp.get(appGuid) ?? []
      list.push(discovered)
      byApp.set(appGuid, list)
    }
  }
  return byApp
}

function warnEmpty(options: ResolveOptions, why: string): DiscoveredApp[] {
  options.logger.warn(`discovery found no apps: ${why}`, { targets: options.targets.length })
  return []
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)]
}

function chunk<T>(values: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size))
  return out
}
