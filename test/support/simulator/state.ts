/**
 * @module simulator/state
 * The resolved landscape: every org, space, app, process, domain and route with its guid, plus
 * indexes the Cloud Controller and the router look things up by, and the mutations tests use
 * (scale, stop, crash an instance, add an app). One instance of this class is the single source
 * of truth shared by all simulated servers, so a mutation is visible to the API and the router at once.
 */
import { newGuid } from './ids.ts'
import type { InstanceState, Landscape, SimApp, SimRoute } from './types.ts'

export interface Metadata {
  labels: Record<string, string>
  annotations: Record<string, string>
}

interface Timestamps {
  createdAt: number
  updatedAt: number
}

export interface OrgRecord extends Metadata, Timestamps { guid: string; name: string }
export interface SpaceRecord extends Metadata, Timestamps { guid: string; name: string; orgGuid: string }
export interface DomainRecord extends Metadata, Timestamps { guid: string; name: string; internal: boolean }
export interface DestinationRecord extends Timestamps { guid: string; appGuid: string; port: number }
export interface RouteRecord extends Metadata, Timestamps {
  guid: string
  host: string
  path: string
  protocol: 'http' | 'tcp'
  /** TCP routes only; HTTP routes have none (the API shows `null`). */
  port: number | null
  domainGuid: string
  spaceGuid: string
  destinations: DestinationRecord[]
  /** A bound route service (`SimRoute.routeService`): its binding and service instance GUIDs and URL. */
  routeService?: { bindingGuid: string; serviceInstanceGuid: string; url: string } & Timestamps
}
export interface AppRecord extends Metadata, Timestamps {
  guid: string
  name: string
  spaceGuid: string
  state: 'STARTED' | 'STOPPED'
  /** Guid of the web process; deliberately different from the app guid (the reference says not to rely on equality). */
  processGuid: string
  instances: number
  instanceStates: InstanceState[]
  /** Diego instance guids per index, created lazily for process stats. */
  instanceGuids: string[]
  /** The test's description, which holds the instance behaviour (auth, path, format, body, delay). */
  config: SimApp
  internalPort: number
  /**
   * The second web process of a deployment in progress (`SimApp.deployment`): a record of the same
   * app with its own process GUID, instances and creation time.
   */
  deployment?: AppRecord
}

/** One app with everything a test needs to address it. */
export interface AppSummary {
  org: string
  orgGuid: string
  space: string
  spaceGuid: string
  name: string
  guid: string
  processGuid: string
  state: 'STARTED' | 'STOPPED'
  instances: number
  /** Effective actual state per index (all DOWN when the app is stopped). */
  instanceStates: InstanceState[]
  routes: { host: string; domain: string; path: string; url: string; internal: boolean }[]
  /** True when the app has at least one route on an internal domain. */
  internal: boolean
  labels: Record<string, string>
}

const GUID_PATTERN = /^[\da-f]{8}-([\da-f]{4}-){3}[\da-f]{12}$/
/** Fixed start of the virtual clock so created_at values are reproducible and strictly ordered. */
const CLOCK_START_MS = Date.UTC(2024, 0, 1)

/** The mutable, indexed landscape shared by the simulated Cloud Controller and gorouter. */
/** What tells two routes apart. */
function routeKey(route: Pick<RouteRecord, 'host' | 'domainGuid' | 'path' | 'protocol' | 'port'>): string {
  return `${route.host}|${route.domainGuid}|${route.path}|${route.protocol}|${route.port ?? ''}`
}

export class LandscapeState {
  readonly orgs = new Map<string, OrgRecord>()
  readonly spaces = new Map<string, SpaceRecord>()
  readonly apps = new Map<string, AppRecord>()
  readonly domains = new Map<string, DomainRecord>()
  readonly routes = new Map<string, RouteRecord>()
  readonly externalDomain: DomainRecord
  readonly internalDomain: DomainRecord
  private readonly routesByFqdn = new Map<string, RouteRecord[]>()
  private readonly routeByKey = new Map<string, RouteRecord>()
  private clockMs = CLOCK_START_MS

  constructor(landscape: Landscape) {
    this.externalDomain = this.ensureDomain(landscape.externalDomain ?? 'apps.sim.localhost', false)
    this.internalDomain = this.ensureDomain(landscape.internalDomain ?? 'apps.internal', true)
    for (const extra of landscape.extraDomains ?? []) this.ensureDomain(extra.name, extra.internal ?? false)
    for (const org of landscape.orgs) {
      const orgRecord = this.addOrg(org.name, org.guid, org.labels)
      for (const space of org.spaces) {
        const spaceRecord = this.addSpace(orgRecord.guid, space.name, space.guid, space.labels)
        for (const app of space.apps) this.addApp(spaceRecord.guid, app)
      }
    }
  }

  /** Advances the virtual clock by one second so every change gets a distinct, ordered timestamp. */
  private tick(): number {
    this.clockMs += 1000
    return this.clockMs
  }

  private claimGuid(wanted: string | undefined, taken: Map<string, unknown>): string {
    if (wanted === undefined) return newGuid()
    if (!GUID_PATTERN.test(wanted)) throw new Error(`simulator: guid '${wanted}' is not a lowercase UUID`)
    if (taken.has(wanted)) throw new Error(`simulator: duplicate guid '${wanted}'`)
    return wanted
  }

  addOrg(name: string, guid?: string, labels: Record<string, string> = {}): OrgRecord {
    const at = this.tick()
    const record: OrgRecord = { guid: this.claimGuid(guid, this.orgs), name, labels: { ...labels }, annotations: {}, createdAt: at, updatedAt: at }
    this.orgs.set(record.guid, record)
    return record
  }

  addSpace(orgGuid: string, name: string, guid?: string, labels: Record<string, string> = {}): SpaceRecord {
    const at = this.tick()
    const record: SpaceRecord = { guid: this.claimGuid(guid, this.spaces), name, orgGuid, labels: { ...labels }, annotations: {}, createdAt: at, updatedAt: at }
    this.spaces.set(record.guid, record)
    return record
  }

  ensureDomain(name: string, internal: boolean): DomainRecord {
    for (const domain of this.domains.values()) if (domain.name === name) return domain
    const at = this.tick()
    const record: DomainRecord = { guid: newGuid(), name, internal, labels: {}, annotations: {}, createdAt: at, updatedAt: at }
    this.domains.set(record.guid, record)
    return record
  }

  /** Adds an app (with its web process and routes) to a space. */
  addApp(spaceGuid: string, app: SimApp): AppRecord {
    if (!this.spaces.has(spaceGuid)) throw new Error(`simulator: unknown space ${spaceGuid}`)
    const at = this.tick()
    const instances = app.instances ?? 1
    if (!Number.isInteger(instances) || instances < 0) throw new Error(`simulator: bad instances for ${app.name}`)
    const record: AppRecord = {
      guid: this.claimGuid(app.guid, this.apps),
      name: app.name,
      spaceGuid,
      state: app.state ?? 'STARTED',
      processGuid: newGuid(),
      instances,
      instanceStates: [...(app.instanceStates ?? [])],
      instanceGuids: [],
      labels: { ...app.labels },
      annotations: { ...app.annotations },
      config: app,
      internalPort: app.internalPort ?? 8080,
      createdAt: at,
      updatedAt: at,
    }
    if (app.deployment) {
      const created = this.tick()
      const { instances: newInstances, instanceStates = [] } = app.deployment
      record.deployment = { ...record, processGuid: newGuid(), instances: newInstances, instanceStates: [...instanceStates], instanceGuids: [], createdAt: created, updatedAt: created, deployment: undefined }
    }
    this.apps.set(record.guid, record)
    for (const route of app.routes ?? []) this.mapRoute(record, route)
    return record
  }

  /** Every web process: one per app, two for an app in a deployment (the first one first). */
  *webProcesses(): Iterable<AppRecord> {
    for (const app of this.apps.values()) {
      yield app
      if (app.deployment) yield app.deployment
    }
  }

  /** Maps a route to an app, creating the route (and an external domain) when needed. */
  mapRoute(app: AppRecord, route: SimRoute): RouteRecord {
    const domain = this.ensureDomain(route.domain ?? this.externalDomain.name, false)
    const path = route.path ?? ''
    const protocol = route.protocol ?? 'http'
    const key = routeKey({ host: route.host, domainGuid: domain.guid, path, protocol, port: protocol === 'tcp' ? (route.port ?? 1024) : null })
    let record = this.routeByKey.get(key)
    if (!record) {
      const at = this.tick()
      record = { guid: newGuid(), host: route.host, path, protocol, port: protocol === 'tcp' ? (route.port ?? 1024) : null, domainGuid: domain.guid, spaceGuid: app.spaceGuid, destinations: [], labels: {}, annotations: {}, createdAt: at, updatedAt: at }
      this.routes.set(record.guid, record)
      this.routeByKey.set(key, record)
      // The HTTP router knows HTTP routes only; a wildcard host matches no request's Host exactly.
      const fqdn = fqdnOf(route.host, domain.name)
      if (protocol === 'http') this.routesByFqdn.set(fqdn, [...(this.routesByFqdn.get(fqdn) ?? []), record])
    }
    if (route.routeService !== undefined && !record.routeService) {
      const at = this.tick()
      record.routeService = { bindingGuid: newGuid(), serviceInstanceGuid: newGuid(), url: route.routeService, createdAt: at, updatedAt: at }
    }
    if (!record.destinations.some((d) => d.appGuid === app.guid)) {
      const at = this.tick()
      record.destinations.push({ guid: newGuid(), appGuid: app.guid, port: app.internalPort, createdAt: at, updatedAt: at })
    }
    return record
  }

  /** Removes an app, its destinations, and routes left without destinations. */
  removeApp(appGuid: string): void {
    this.apps.delete(appGuid)
    for (const route of [...this.routes.values()]) {
      route.destinations = route.destinations.filter((d) => d.appGuid !== appGuid)
      if (route.destinations.length > 0) continue
      this.routes.delete(route.guid)
      const domain = this.domains.get(route.domainGuid)
      this.routeByKey.delete(routeKey(route))
      if (!domain) continue
      const fqdn = fqdnOf(route.host, domain.name)
      const rest = (this.routesByFqdn.get(fqdn) ?? []).filter((r) => r !== route)
      if (rest.length > 0) this.routesByFqdn.set(fqdn, rest)
      else this.routesByFqdn.delete(fqdn)
    }
  }

  /** Finds an app by guid or (unique) name; throws when unknown so test typos surface at once. */
  findApp(nameOrGuid: string): AppRecord {
    const byGuid = this.apps.get(nameOrGuid)
    if (byGuid) return byGuid
    const matches = [...this.apps.values()].filter((a) => a.name === nameOrGuid)
    if (matches.length === 1 && matches[0]) return matches[0]
    throw new Error(`simulator: ${matches.length === 0 ? 'no' : 'ambiguous'} app '${nameOrGuid}'`)
  }

  /** Finds a space by guid, or by name (optionally qualified as `org/space`). */
  findSpace(nameOrGuid: string): SpaceRecord {
    const byGuid = this.spaces.get(nameOrGuid)
    if (byGuid) return byGuid
    const [orgName, spaceName] = nameOrGuid.includes('/') ? nameOrGuid.split('/', 2) : [undefined, nameOrGuid]
    const matches = [...this.spaces.values()].filter(
      (s) => s.name === spaceName && (orgName === undefined || this.orgs.get(s.orgGuid)?.name === orgName),
    )
    if (matches.length === 1 && matches[0]) return matches[0]
    throw new Error(`simulator: ${matches.length === 0 ? 'no' : 'ambiguous'} space '${nameOrGuid}'`)
  }

  /** Marks an app as changed (updated_at) after a mutation. */
  touch(app: AppRecord): void {
    app.updatedAt = this.tick()
  }

  /** Actual state of one instance: DOWN for stopped apps, else the configured state (default RUNNING). */
  instanceState(app: AppRecord, index: number): InstanceState {
    if (app.state === 'STOPPED' || index >= app.instances) return 'DOWN'
    return app.instanceStates[index] ?? 'RUNNING'
  }

  /** Diego instance guid of one index, stable for the life of the simulator. */
  instanceGuid(app: AppRecord, index: number): string {
    const existing = app.instanceGuids[index]
    if (existing) return existing
    const guid = newGuid()
    app.instanceGuids[index] = guid
    return guid
  }

  /** Routes whose host + domain form this fully qualified name. */
  routesForFqdn(fqdn: string): RouteRecord[] {
    return this.routesByFqdn.get(fqdn.toLowerCase()) ?? []
  }

  /** Domain of a route (always present while the route exists). */
  domainOf(route: RouteRecord): DomainRecord {
    const domain = this.domains.get(route.domainGuid)
    if (!domain) throw new Error(`simulator: route ${route.guid} lost its domain`)
    return domain
  }

  /** Summaries of all apps; builds the app → routes index once so 10,000 apps stay fast. */
  summarizeAll(): AppSummary[] {
    const routesByApp = new Map<string, RouteRecord[]>()
    for (const route of this.routes.values()) {
      for (const d of route.destinations) routesByApp.set(d.appGuid, [...(routesByApp.get(d.appGuid) ?? []), route])
    }
    return [...this.apps.values()].map((app) => this.summarize(app, routesByApp.get(app.guid) ?? []))
  }

  /** Summary of one app with org/space names and its routes. */
  summarize(app: AppRecord, appRoutes?: RouteRecord[]): AppSummary {
    const space = this.spaces.get(app.spaceGuid)
    const org = space ? this.orgs.get(space.orgGuid) : undefined
    const routes = (appRoutes ?? [...this.routes.values()].filter((r) => r.destinations.some((d) => d.appGuid === app.guid)))
      .map((r) => {
        const domain = this.domainOf(r)
        return { host: r.host, domain: domain.name, path: r.path, url: `${fqdnOf(r.host, domain.name)}${r.path}`, internal: domain.internal }
      })
    return {
      org: org?.name ?? '',
      orgGuid: org?.guid ?? '',
      space: space?.name ?? '',
      spaceGuid: app.spaceGuid,
      name: app.name,
      guid: app.guid,
      processGuid: app.processGuid,
      state: app.state,
      instances: app.instances,
      instanceStates: Array.from({ length: app.instances }, (_, i) => this.instanceState(app, i)),
      routes,
      internal: routes.some((r) => r.internal),
      labels: { ...app.labels },
    }
  }
}

/** `host.domain`, or just the domain for a route with an empty host. */
export function fqdnOf(host: string, domain: string): string {
  return (host === '' ? domain : `${host}.${domain}`).toLowerCase()
}
