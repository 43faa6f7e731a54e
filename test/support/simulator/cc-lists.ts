/**
 * @module simulator/cc-lists
 * The list endpoints of Cloud Controller v3 described as data (accepted parameters, filters,
 * sort keys, includes) and one generic runner that validates the query, filters (multi-value
 * filters OR'ed, different filters AND'ed), applies label_selector, sorts, includes and paginates.
 */
import { compileLabelSelector } from './label-selector.ts'
import { paginate } from './pagination.ts'
import type { Presenter } from './presenters.ts'
import { assertKnownParams, badQuery, filterSet, pageRequest, type ParsedQuery } from './query.ts'
import type { AppRecord, DomainRecord, LandscapeState, OrgRecord, RouteRecord, SpaceRecord } from './state.ts'

/** A filter predicate built from one query: returns whether an item passes. */
type Predicate<T> = (item: T) => boolean

/** Declarative description of one list endpoint. */
export interface ListSpec<T> {
  /** Filters: name → builds a predicate from the query's value set. */
  filters: Record<string, (values: Set<string>) => Predicate<T>>
  /** Filters whose values compare case-insensitively (CC: `names`). */
  caseInsensitive?: string[]
  /** Labels for label_selector (absent: label_selector is not accepted). */
  labels?: (item: T) => Record<string, string>
  orderBy: Record<string, (item: T) => string | number>
  present: (item: T) => unknown
  /** include values → additions to the `included` object for the items of this page. */
  includes?: Record<string, (items: T[]) => Record<string, unknown[]>>
  /** Parameters accepted but without effect here (e.g. `stacks`). */
  ignored?: string[]
}

/** Runs a list request against `items`; returns the response body. */
export function runList<T>(spec: ListSpec<T>, items: Iterable<T>, query: ParsedQuery, endpointUrl: string, perPageCap?: number, maxTotalResults?: number): unknown {
  const timestamps = [...query.keys()].filter((key) => TIMESTAMP_FILTER.test(key) && spec.orderBy[key.replace(/s(\[.*)?$/, '')] !== undefined)
  const allowed = ['page', 'per_page', 'order_by', ...Object.keys(spec.filters), ...(spec.ignored ?? []), ...timestamps]
  if (spec.labels) allowed.push('label_selector')
  if (spec.includes) allowed.push('include')
  assertKnownParams(query, allowed)
  const request = pageRequest(query)
  // The operator's cap `renderer.max_total_results` on page × per_page.
  if (maxTotalResults !== undefined && request.page * request.perPage > maxTotalResults) {
    throw badQuery(`Page and per_page combined exceed the maximum number of results of ${maxTotalResults}`)
  }

  const predicates: Predicate<T>[] = []
  for (const [name, build] of Object.entries(spec.filters)) {
    const values = filterSet(query, name, spec.caseInsensitive?.includes(name))
    if (values) predicates.push(build(values))
  }
  const selector = query.get('label_selector')
  if (selector && spec.labels) {
    const matches = compileLabelSelector(selector.decoded)
    const labelsOf = spec.labels
    predicates.push((item) => matches(labelsOf(item)))
  }
  for (const key of timestamps) predicates.push(timestampPredicate(key, query.get(key)!.values, spec.orderBy[key.replace(/s(\[.*)?$/, '')] as (item: T) => number))
  let selected = [...items].filter((item) => predicates.every((p) => p(item)))
  selected = sorted(selected, spec, query)

  const page = paginate(selected, request, endpointUrl, query, perPageCap)
  const body: Record<string, unknown> = { pagination: page.pagination, resources: page.items.map(spec.present) }
  const include = query.get('include')
  if (include && spec.includes) body.included = included(spec.includes, include.values, page.items)
  return body
}

/** `created_ats`, `updated_ats`, with a relational operator or without (a list of exact times). */
const TIMESTAMP_FILTER = /^(created_at|updated_at)s(\[(lt|lte|gt|gte)\])?$/

/** The Cloud Controller's timestamp filters, at its one-second resolution. */
function timestampPredicate<T>(key: string, values: string[], timeOf: (item: T) => number): Predicate<T> {
  const operator = /\[(\w+)\]/.exec(key)?.[1]
  const times = values.map((v) => {
    const ms = Date.parse(v)
    if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(v)) throw badQuery(`${key} has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'`)
    return ms
  })
  const second = (item: T) => Math.floor(timeOf(item) / 1000) * 1000
  switch (operator) {
    case 'lt': return (item) => second(item) < times[0]!
    case 'lte': return (item) => second(item) <= times[0]!
    case 'gt': return (item) => second(item) > times[0]!
    case 'gte': return (item) => second(item) >= times[0]!
    default: return (item) => times.includes(second(item))
  }
}

function sorted<T>(items: T[], spec: ListSpec<T>, query: ParsedQuery): T[] {
  const orderParam = query.get('order_by')?.decoded
  if (orderParam === undefined) return items
  const descending = orderParam.startsWith('-')
  const field = orderParam.replace(/^[-+]/, '')
  const key = spec.orderBy[field]
  if (!key) throw badQuery(`Order by can only be: ${Object.keys(spec.orderBy).map((k) => `'${k}'`).join(', ')}`)
  const direction = descending ? -1 : 1
  return [...items].sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    return (ka < kb ? -1 : ka > kb ? 1 : 0) * direction
  })
}

function included<T>(builders: Record<string, (items: T[]) => Record<string, unknown[]>>, wanted: string[], items: T[]): Record<string, unknown[]> {
  const result: Record<string, unknown[]> = {}
  for (const name of wanted) {
    const build = builders[name]
    if (!build) {
      throw badQuery(`Invalid included resource: '${name}'. Valid included resources are: ${Object.keys(builders).map((k) => `'${k}'`).join(', ')}`)
    }
    Object.assign(result, build(items))
  }
  return result
}

/** Unique values in first-seen order, dropping undefined. */
function unique<K, V>(keys: K[], lookup: (key: K) => V | undefined): V[] {
  const out: V[] = []
  for (const key of new Set(keys)) {
    const value = lookup(key)
    if (value !== undefined) out.push(value)
  }
  return out
}

const timeOrder = { created_at: (r: { createdAt: number }) => r.createdAt, updated_at: (r: { updatedAt: number }) => r.updatedAt }

/** The list specs of one simulator, closed over its state and presenter. */
export function listSpecs(state: LandscapeState, present: Presenter) {
  const orgOfSpace = (spaceGuid: string) => state.spaces.get(spaceGuid)?.orgGuid ?? ''
  const spacesOf = (spaceGuids: string[]) => unique(spaceGuids, (g) => state.spaces.get(g))
  const orgsOfSpaces = (spaceGuids: string[]) => unique(spacesOf(spaceGuids).map((s) => s.orgGuid), (g) => state.orgs.get(g))
  function spaceIncludes<T>(spaceGuidOf: (item: T) => string): Record<string, (items: T[]) => Record<string, unknown[]>> {
    return {
      space: (items) => ({ spaces: spacesOf(items.map(spaceGuidOf)).map((s) => present.space(s)) }),
      'space.organization': (items) => ({
        spaces: spacesOf(items.map(spaceGuidOf)).map((s) => present.space(s)),
        organizations: orgsOfSpaces(items.map(spaceGuidOf)).map((o) => present.org(o)),
      }),
    }
  }

  const organizations: ListSpec<OrgRecord> = {
    filters: { names: (v) => (o) => v.has(o.name.toLowerCase()), guids: (v) => (o) => v.has(o.guid) },
    caseInsensitive: ['names'],
    labels: (o) => o.labels,
    orderBy: { ...timeOrder, name: (o) => o.name },
    present: (o) => present.org(o),
  }

  const spaces: ListSpec<SpaceRecord> = {
    filters: {
      names: (v) => (s) => v.has(s.name.toLowerCase()),
      guids: (v) => (s) => v.has(s.guid),
      organization_guids: (v) => (s) => v.has(s.orgGuid),
    },
    caseInsensitive: ['names'],
    labels: (s) => s.labels,
    orderBy: { ...timeOrder, name: (s) => s.name },
    present: (s) => present.space(s),
    includes: { organization: (items) => ({ organizations: unique(items.map((s) => s.orgGuid), (g) => state.orgs.get(g)).map((o) => present.org(o)) }) },
  }

  const apps: ListSpec<AppRecord> = {
    filters: {
      names: (v) => (a) => v.has(a.name.toLowerCase()),
      guids: (v) => (a) => v.has(a.guid),
      space_guids: (v) => (a) => v.has(a.spaceGuid),
      organization_guids: (v) => (a) => v.has(orgOfSpace(a.spaceGuid)),
      stacks: (v) => () => v.has('cflinuxfs4'),
      lifecycle_type: (v) => () => v.has('buildpack'),
    },
    caseInsensitive: ['names'],
    labels: (a) => a.labels,
    orderBy: { ...timeOrder, name: (a) => a.name, state: (a) => a.state },
    present: (a) => present.app(a),
    includes: spaceIncludes<AppRecord>((a) => a.spaceGuid),
  }

  const routeFilters: ListSpec<RouteRecord>['filters'] = {
    app_guids: (v) => (r) => r.destinations.some((d) => v.has(d.appGuid)),
    space_guids: (v) => (r) => v.has(r.spaceGuid),
    organization_guids: (v) => (r) => v.has(orgOfSpace(r.spaceGuid)),
    domain_guids: (v) => (r) => v.has(r.domainGuid),
    hosts: (v) => (r) => v.has(r.host),
    paths: (v) => (r) => v.has(r.path),
    // http routes have no port, so any ports filter excludes them (as CC does)
    ports: () => () => false,
  }
  const routes: ListSpec<RouteRecord> = {
    filters: routeFilters,
    labels: (r) => r.labels,
    orderBy: { ...timeOrder },
    present: (r) => present.route(r),
    includes: {
      domain: (items) => ({ domains: unique(items.map((r) => r.domainGuid), (g) => state.domains.get(g)).map((d) => present.domain(d)) }),
      ...spaceIncludes<RouteRecord>((r) => r.spaceGuid),
    },
    ignored: ['service_instance_guids'],
  }
  const appRoutes: ListSpec<RouteRecord> = {
    filters: Object.fromEntries(Object.entries(routeFilters).filter(([name]) => name !== 'app_guids')),
    labels: (r) => r.labels,
    orderBy: { ...timeOrder },
    present: (r) => present.route(r),
  }

  const domains: ListSpec<DomainRecord> = {
    filters: {
      guids: (v) => (d) => v.has(d.guid),
      names: (v) => (d) => v.has(d.name.toLowerCase()),
      // all simulated domains are shared: none is owned by an organization
      organization_guids: () => () => false,
    },
    caseInsensitive: ['names'],
    labels: (d) => d.labels,
    orderBy: { ...timeOrder },
    present: (d) => present.domain(d),
  }
  const orgDomains: ListSpec<DomainRecord> = { ...domains, filters: { guids: domains.filters.guids!, names: domains.filters.names! } }

  const processFilters: ListSpec<AppRecord>['filters'] = {
    guids: (v) => (a) => v.has(a.processGuid),
    types: (v) => () => v.has('web'),
  }
  const processes: ListSpec<AppRecord> = {
    filters: {
      ...processFilters,
      app_guids: (v) => (a) => v.has(a.guid),
      space_guids: (v) => (a) => v.has(a.spaceGuid),
      organization_guids: (v) => (a) => v.has(orgOfSpace(a.spaceGuid)),
    },
    labels: () => ({}),
    orderBy: { ...timeOrder },
    present: (a) => present.process(a),
  }
  const appProcesses: ListSpec<AppRecord> = { ...processes, filters: processFilters }

  type BoundRoute = RouteRecord & { routeService: NonNullable<RouteRecord['routeService']> }
  const serviceRouteBindings: ListSpec<BoundRoute> = {
    filters: {
      guids: (v) => (r) => v.has(r.routeService.bindingGuid),
      route_guids: (v) => (r) => v.has(r.guid),
      service_instance_guids: (v) => (r) => v.has(r.routeService.serviceInstanceGuid),
    },
    orderBy: { created_at: (r) => r.routeService.createdAt, updated_at: (r) => r.routeService.updatedAt },
    present: (r) => present.serviceRouteBinding(r),
  }

  return { organizations, spaces, apps, routes, appRoutes, domains, orgDomains, processes, appProcesses, serviceRouteBindings }
}
