/**
 * @module platform/cf/resolve
 * Targets → apps of one foundation. The cost grows with pages, not with apps: orgs, spaces, apps,
 * routes (domains joined) and web processes are each read as filtered collections, 5,000 per
 * page, long GUID lists split so no URL grows past a few KB. Each resource class is remembered
 * for its `cf.cache.timeout.*`; routes and processes of apps that appeared since are fetched by
 * app GUID, so a new app does not wait for the next full read of its class.
 */
import { canonicalLabelSelector } from '../../config/label-selector.ts'
import type { TargetConfig } from '../../config/schema.ts'
import type { Logger } from '../../log.ts'
import { nameMatcher, type NameMatcher } from '../match.ts'
import { readAnnotations } from './annotations.ts'
import type { CfClient, ListResult } from './client.ts'
import { Memo } from './memo.ts'
import { chunkByLength, type QueryValue } from './query.ts'
import {
  appSchema,
  domainSchema,
  organizationSchema,
  processSchema,
  routeSchema,
  serviceRouteBindingSchema,
  spaceSchema,
  stringMap,
  type CfApp,
  type CfDomain,
  type CfOrganization,
  type CfProcess,
  type CfRoute,
  type CfServiceRouteBinding,
  type CfSpace,
} from './resources.ts'
import type { AppDiscoverer, DiscoveredApp, DiscoveredRoute, ResourceClass, WebProcess } from './types.ts'

/** Up to this many selected apps, routes and processes are asked for by app GUID, else by space. */
const NARROW_SELECTION = 300

/** `cf.cache.timeout.*` in milliseconds. */
export type CacheTimeouts = Record<ResourceClass, number>
/** `cf.request.timeout.*` in milliseconds. */
export interface RequestTimeouts {
  org: number
  space: number
  appInSpace: number
  domain: number
  route: number
  process: number
}

export interface ResolveOptions {
  client: CfClient
  /** The targets this discoverer resolves, with their index in `promregator.targets`. */
  targets: Array<{ index: number; target: TargetConfig }>
  logger: Logger
  cacheTimeouts: CacheTimeouts
  requestTimeouts: RequestTimeouts
  now?: () => number
}

interface TargetPlan {
  index: number
  target: TargetConfig
  org: NameMatcher
  space: NameMatcher
  app: NameMatcher
}

type PerApp<T> = { byApp: Map<string, T>; covered: Set<string> }

/** Creates a discoverer that resolves all its targets with one pass over the API per run. */
export function createCfDiscoverer(options: ResolveOptions): AppDiscoverer {
  const now = options.now ?? Date.now
  const cacheTimeout = (cls: ResourceClass) => options.cacheTimeouts[cls]
  // Domains arrive joined to routes, so routes are read again when either is due.
  const maxAge = (cls: ResourceClass) => (cls === 'route' ? Math.min(cacheTimeout('route'), cacheTimeout('domain')) : cacheTimeout(cls))
  const memo = new Memo(maxAge, now)
  const plans: TargetPlan[] = options.targets.map(({ index, target }) => ({
    index,
    target,
    org: nameMatcher(target.orgName, target.orgRegex),
    space: nameMatcher(target.spaceName, target.spaceRegex),
    app: nameMatcher(target.applicationName, target.applicationRegex),
  }))
  return {
    async discover() {
      memo.beginRun()
      const apps = await resolve(options, plans, memo, maxAge)
      memo.endRun()
      return apps
    },
    invalidate(classes) {
      if (!classes) return memo.invalidate()
      const mapped = new Set<ResourceClass>()
      for (const cls of classes) mapped.add(cls === 'domain' ? 'route' : cls === 'resolver' ? 'application' : cls)
      memo.invalidate([...mapped])
    },
  }
}

async function resolve(options: ResolveOptions, plans: TargetPlan[], memo: Memo, maxAge: (cls: ResourceClass) => number): Promise<DiscoveredApp[]> {
  const { client, logger } = options
  const timeout = options.requestTimeouts
  if (plans.length === 0) return []

  /** One filtered list, its GUID filter split into URL-sized chunks that run concurrently. */
  const listChunked = async <T,>(path: string, key: string, values: string[], query: Record<string, QueryValue>, schema: Parameters<CfClient['list']>[2], timeoutMs: number) => {
    const chunks = chunkByLength(unique(values))
    const results = (await Promise.all(chunks.map((c) => client.list(path, { ...query, [key]: c }, schema, { timeoutMs })))) as ListResult<T>[]
    return { resources: results.flatMap((r) => r.resources), included: results.flatMap((r) => Object.entries(r.included)) }
  }

  // Orgs: by name when every target names one, else all of them.
  const exactOrgs = plans.map((p) => p.org.exact)
  const orgNames = exactOrgs.every((n) => n !== undefined) ? unique(exactOrgs as string[]) : undefined
  const orgs = await memo.get('org', orgNames?.join(',') ?? '*', async () =>
    orgNames
      ? (await listChunked<CfOrganization>('/v3/organizations', 'names', orgNames, {}, organizationSchema, timeout.org)).resources
      : (await client.list('/v3/organizations', {}, organizationSchema, { timeoutMs: timeout.org })).resources,
  )
  const orgsOf = plans.map((p) => orgs.filter((o) => p.org(o.name)))
  const orgGuids = unique(orgsOf.flat().map((o) => o.guid)).sort()
  if (orgGuids.length === 0) return warnEmpty(options, 'no organization matches')

  // Spaces of the matched orgs (by name too when every target names one).
  const exactSpaces = plans.map((p) => p.space.exact)
  const spaceNames: Record<string, QueryValue> = exactSpaces.every((n) => n !== undefined) ? { names: unique(exactSpaces as string[]) } : {}
  const spaces = await memo.get('space', `${orgGuids.join(',')} ${String(spaceNames.names ?? '*')}`, async () =>
    (await listChunked<CfSpace>('/v3/spaces', 'organization_guids', orgGuids, spaceNames, spaceSchema, timeout.space)).resources,
  )
  const spacesOf = plans.map((p, i) => {
    const orgSet = new Set(orgsOf[i]!.map((o) => o.guid))
    return spaces.filter((s) => orgSet.has(s.relationships.organization.data?.guid ?? '') && p.space(s.name))
  })
  if (spacesOf.every((s) => s.length === 0)) return warnEmpty(options, 'no space matches')

  // A target without a space filter selects whole organizations: its lists are asked for by
  // organization, a handful of GUIDs, instead of by every space (500 spaces: ~20,000 characters of
  // GUIDs, several URLs and so several page runs; 50 organizations: one).
  const wholeOrgs = (indexes: number[]): string[] | undefined =>
    indexes.every((i) => plans[i]!.target.spaceName === undefined && plans[i]!.target.spaceRegex === undefined)
      ? unique(indexes.flatMap((i) => orgsOf[i]!.map((o) => o.guid))).sort()
      : undefined

  // Apps: one query per distinct label selector, over the spaces of its targets.
  // Sent as the Cloud Controller reads it (no spaces around operators or in sets): selectors that
  // differ only in spacing are one query.
  const selectorOf = (p: TargetPlan) => (p.target.labelSelector === undefined ? '' : canonicalLabelSelector(p.target.labelSelector))
  const groups = new Map<string, { selector?: string; plans: number[] }>()
  plans.forEach((p, i) => {
    const key = selectorOf(p)
    const group = groups.get(key) ?? { selector: key === '' ? undefined : key, plans: [] }
    group.plans.push(i)
    groups.set(key, group)
  })
  const appsBySelector = new Map<string, CfApp[]>()
  await Promise.all(
    [...groups].map(async ([key, group]) => {
      const spaceGuids = unique(group.plans.flatMap((i) => spacesOf[i]!.map((s) => s.guid))).sort()
      if (spaceGuids.length === 0) return appsBySelector.set(key, [])
      const orgFilter = wholeOrgs(group.plans)
      const [filterKey, filterValues] = orgFilter ? ['organization_guids', orgFilter] : ['space_guids', spaceGuids]
      const exactApps = group.plans.map((i) => plans[i]!.app.exact)
      const query: Record<string, QueryValue> = {}
      if (exactApps.every((n) => n !== undefined)) query.names = unique(exactApps as string[])
      // One string, decoded once by CC (it is not a multi-value filter): its commas are syntax.
      if (group.selector) query.label_selector = group.selector
      const memoKey = `${key} ${String(query.names ?? '*')} ${filterValues.join(',')}`
      const apps = await memo.get('application', memoKey, async () =>
        (await listChunked<CfApp>('/v3/apps', filterKey, filterValues, query, appSchema, timeout.appInSpace)).resources,
      )
      appsBySelector.set(key, apps)
    }),
  )

  // Selection: started apps of each target's spaces whose name matches; the first target wins.
  const orgByGuid = new Map(orgs.map((o) => [o.guid, o]))
  const spaceByGuid = new Map(spaces.map((s) => [s.guid, s]))
  const selected = new Map<string, { app: CfApp; plan: TargetPlan }>()
  plans.forEach((plan, i) => {
    const spaceSet = new Set(spacesOf[i]!.map((s) => s.guid))
    for (const app of appsBySelector.get(selectorOf(plan)) ?? []) {
      if (app.state !== 'STARTED' || !spaceSet.has(app.relationships.space.data?.guid ?? '') || !plan.app(app.name)) continue
      if (plan.target.kubernetesAnnotations && !readAnnotations(stringMap(app.metadata?.annotations)).scrape) continue
      if (selected.has(app.guid)) {
        logger.debug('app selected by more than one target; the first one applies', { app: app.name, target: plan.index })
        continue
      }
      selected.set(app.guid, { app, plan })
    }
  })
  if (selected.size === 0) return warnEmpty(options, 'no started application matches')

  // Routes (domains joined) and web processes of the selected apps.
  const selectedApps = [...selected.values()].map((s) => s.app)
  const allOrgs = wholeOrgs(plans.map((_, i) => i))
  const byAppOrSpace = (apps: CfApp[]): [string, string[]] =>
    apps.length <= NARROW_SELECTION
      ? ['app_guids', apps.map((a) => a.guid)]
      : allOrgs
        ? ['organization_guids', allOrgs]
        : ['space_guids', unique(apps.map((a) => a.relationships.space.data?.guid ?? ''))]
  const perApp = async <T,>(cls: ResourceClass, fetch: (key: string, values: string[]) => Promise<Map<string, T>>): Promise<Map<string, T>> => {
    const cached = memo.peek<PerApp<T>>(cls, 'selection')
    if (!cached || cached.ageMs >= maxAge(cls)) {
      const byApp = await fetch(...byAppOrSpace(selectedApps))
      memo.set(cls, 'selection', { byApp, covered: new Set(selected.keys()) })
      return byApp
    }
    const missing = selectedApps.filter((a) => !cached.value.covered.has(a.guid))
    if (missing.length > 0) {
      for (const [appGuid, value] of await fetch('app_guids', missing.map((a) => a.guid))) cached.value.byApp.set(appGuid, value)
      // The remembered entry is extended in place and keeps its age (it is read again when it is due).
      for (const app of missing) cached.value.covered.add(app.guid)
    }
    return cached.value.byApp
  }
  /**
   * Route GUID → URL of the route service bound to it. Few routes (a narrow selection): asked for
   * by route GUID; else all bindings the user can see, one request (routes with a route service are
   * rare). A failure is logged and taken as none bound: discovery does not depend on it.
   */
  const routeServicesOf = async (routeGuids: string[], narrow: boolean): Promise<Map<string, string>> => {
    if (routeGuids.length === 0) return new Map()
    try {
      const bindings: CfServiceRouteBinding[] = narrow
        ? (await listChunked<CfServiceRouteBinding>('/v3/service_route_bindings', 'route_guids', routeGuids, {}, serviceRouteBindingSchema, timeout.route)).resources
        : (await client.list('/v3/service_route_bindings', {}, serviceRouteBindingSchema, { timeoutMs: timeout.route })).resources
      return new Map(bindings.flatMap((b) => (b.relationships.route.data ? [[b.relationships.route.data.guid, b.route_service_url ?? '']] : [])))
    } catch (error) {
      logger.warn('could not list the route services bound to routes; routes are chosen as if none were bound', { error: (error as Error).message })
      return new Map()
    }
  }
  const [routesByApp, processesByApp] = await Promise.all([
    perApp('route', async (key, values) => {
      const result = await listChunked<CfRoute>('/v3/routes', key, values, { include: 'domain' }, routeSchema, Math.max(timeout.route, timeout.domain))
      const routeGuids = result.resources.map((r) => r.guid)
      return groupRoutes(result.resources, domainsOf(result.included), await routeServicesOf(routeGuids, key === 'app_guids'))
    }),
    perApp('process', async (key, values) => {
      const result = await listChunked<CfProcess>(
        '/v3/processes',
        key,
        values,
        { types: ['web'] },
        processSchema,
        timeout.process,
      )
      return webProcessesByApp(result.resources)
    }),
  ])

  const result: DiscoveredApp[] = []
  for (const { app, plan } of selected.values()) {
    const space = spaceByGuid.get(app.relationships.space.data?.guid ?? '')
    const org = orgByGuid.get(space?.relationships.organization.data?.guid ?? '')
    if (!space || !org) continue
    const where = { org: org.name, space: space.name, app: app.name }
    const processes = processesByApp.get(app.guid)
    if (processes === undefined) {
      logger.warn('app has no web process; not scraped', where)
      continue
    }
    const annotations = stringMap(app.metadata?.annotations)
    const discovered: DiscoveredApp = {
      targetIndex: plan.index,
      orgGuid: org.guid,
      orgName: org.name,
      spaceGuid: space.guid,
      spaceName: space.name,
      appGuid: app.guid,
      appName: app.name,
      labels: stringMap(app.metadata?.labels),
      annotations,
      instances: processes.at(-1)!.instances,
      routes: routesByApp.get(app.guid) ?? [],
    }
    if (processes.length > 1) discovered.deployment = processes
    if (plan.target.kubernetesAnnotations) {
      const settings = readAnnotations(annotations)
      for (const problem of settings.problems) logger.warn(`${problem}; ignored`, where)
      if (settings.path !== undefined) discovered.metricsPath = settings.path
      if (settings.port !== undefined) discovered.internalPort = settings.port
    }
    result.push(discovered)
  }
  return result
}

/**
 * The web processes of each app, oldest first. An app has one, except while a rolling or canary
 * deployment runs: then the new revision's process stands beside the old one.
 */
function webProcessesByApp(processes: CfProcess[]): Map<string, WebProcess[]> {
  const byApp = new Map<string, Array<WebProcess & { createdAt: string }>>()
  for (const p of processes) {
    const appGuid = p.relationships.app.data?.guid
    if (!appGuid || p.type !== 'web') continue
    const list = byApp.get(appGuid) ?? []
    list.push({ guid: p.guid, instances: p.instances, createdAt: p.created_at ?? '' })
    byApp.set(appGuid, list)
  }
  const result = new Map<string, WebProcess[]>()
  for (const [appGuid, list] of byApp) {
    list.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.guid.localeCompare(b.guid))
    result.set(appGuid, list.map(({ guid, instances }) => ({ guid, instances })))
  }
  return result
}

function domainsOf(included: Array<[string, unknown[]]>): Map<string, CfDomain> {
  const domains = new Map<string, CfDomain>()
  for (const [kind, items] of included) {
    if (kind !== 'domains') continue
    for (const item of items) {
      const parsed = domainSchema.safeParse(item)
      if (parsed.success) domains.set(parsed.data.guid, parsed.data)
    }
  }
  return domains
}

function groupRoutes(routes: CfRoute[], domains: Map<string, CfDomain>, routeServices: Map<string, string>): Map<string, DiscoveredRoute[]> {
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
    const unusable = unusableRoute(route, routeServices.get(route.guid))
    if (unusable) discovered.unusable = unusable
    for (const destination of route.destinations) {
      if ((destination.app.process?.type ?? 'web') !== 'web') continue
      const list = byApp.get(destination.app.guid) ?? []
      // One entry per route and app, with that app's port behind it.
      if (list.some((r) => r.url === discovered.url)) continue
      list.push(destination.port == null ? discovered : { ...discovered, port: destination.port })
      byApp.set(destination.app.guid, list)
    }
  }
  return byApp
}

/**
 * Why a route cannot address one instance, if it cannot: a TCP route is served by the TCP router,
 * which knows no `X-CF-APP-INSTANCE`; a wildcard host (`*.domain`) is no host to send a request to;
 * a route with a bound route service passes requests through the service, which loses the header.
 */
function unusableRoute(route: CfRoute, routeService: string | undefined): string | undefined {
  if (route.protocol !== 'http') return `${route.protocol} route ${route.url}`
  if (route.host === '*') return `wildcard route ${route.url}`
  if (routeService !== undefined) return `route ${route.url} with a route service${routeService ? ` (${routeService})` : ''}`
  return undefined
}

function warnEmpty(options: ResolveOptions, why: string): DiscoveredApp[] {
  options.logger.warn(`discovery found no apps: ${why}`, { targets: options.targets.length })
  return []
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)]
}
