/**
 * @module simulator/presenters
 * JSON shapes of Cloud Controller v3 resources (orgs, spaces, apps, domains, routes, processes,
 * process stats) exactly as the reference documents them, built from the resolved landscape.
 */
import { ccTimestamp } from './ids.ts'
import { fqdnOf, type AppRecord, type DomainRecord, type LandscapeState, type OrgRecord, type RouteRecord, type SpaceRecord } from './state.ts'

const link = (href: string) => ({ href })
const times = (r: { createdAt: number; updatedAt: number }) => ({ created_at: ccTimestamp(r.createdAt), updated_at: ccTimestamp(r.updatedAt) })
const metadata = (r: { labels: Record<string, string>; annotations: Record<string, string> }) => ({
  labels: { ...r.labels },
  annotations: { ...r.annotations },
})

/** Builds resource JSON with links rooted at the simulator's API URL. */
export class Presenter {
  /** `apiUrl` is a getter because the port is known only after the server listens. */
  constructor(
    private readonly state: LandscapeState,
    private readonly apiUrlOf: () => string,
  ) {}

  private get apiUrl(): string {
    return this.apiUrlOf()
  }

  org(org: OrgRecord) {
    const self = `${this.apiUrl}/v3/organizations/${org.guid}`
    return {
      guid: org.guid,
      ...times(org),
      name: org.name,
      suspended: false,
      relationships: { quota: { data: { guid: '00000000-0000-4000-8000-000000000001' } } },
      links: {
        self: link(self),
        domains: link(`${self}/domains`),
        default_domain: link(`${self}/domains/default`),
        quota: link(`${this.apiUrl}/v3/organization_quotas/00000000-0000-4000-8000-000000000001`),
      },
      metadata: metadata(org),
    }
  }

  space(space: SpaceRecord) {
    const self = `${this.apiUrl}/v3/spaces/${space.guid}`
    return {
      guid: space.guid,
      ...times(space),
      name: space.name,
      suspended: false,
      relationships: { organization: { data: { guid: space.orgGuid } }, quota: { data: null } },
      links: {
        self: link(self),
        features: link(`${self}/features`),
        organization: link(`${this.apiUrl}/v3/organizations/${space.orgGuid}`),
        apply_manifest: { href: `${self}/actions/apply_manifest`, method: 'POST' },
      },
      metadata: metadata(space),
    }
  }

  app(app: AppRecord) {
    const self = `${this.apiUrl}/v3/apps/${app.guid}`
    return {
      guid: app.guid,
      name: app.name,
      state: app.state,
      ...times(app),
      lifecycle: { type: 'buildpack', data: { buildpacks: ['binary_buildpack'], stack: 'cflinuxfs4' } },
      relationships: {
        space: { data: { guid: app.spaceGuid } },
        current_droplet: { data: { guid: app.processGuid } },
      },
      links: {
        self: link(self),
        environment_variables: link(`${self}/environment_variables`),
        space: link(`${this.apiUrl}/v3/spaces/${app.spaceGuid}`),
        processes: link(`${self}/processes`),
        packages: link(`${self}/packages`),
        current_droplet: link(`${self}/droplets/current`),
        droplets: link(`${self}/droplets`),
        tasks: link(`${self}/tasks`),
        start: { href: `${self}/actions/start`, method: 'POST' },
        stop: { href: `${self}/actions/stop`, method: 'POST' },
        revisions: link(`${self}/revisions`),
        deployed_revisions: link(`${self}/revisions/deployed`),
        features: link(`${self}/features`),
      },
      metadata: metadata(app),
    }
  }

  domain(domain: DomainRecord) {
    const self = `${this.apiUrl}/v3/domains/${domain.guid}`
    return {
      guid: domain.guid,
      ...times(domain),
      name: domain.name,
      internal: domain.internal,
      router_group: null,
      supported_protocols: ['http'],
      metadata: metadata(domain),
      relationships: { organization: { data: null }, shared_organizations: { data: [] } },
      links: {
        self: link(self),
        route_reservations: link(`${self}/route_reservations`),
      },
    }
  }

  /** The binding of a route service to a route (`/v3/service_route_bindings`). */
  serviceRouteBinding(route: RouteRecord & { routeService: NonNullable<RouteRecord['routeService']> }) {
    const binding = route.routeService
    const self = `${this.apiUrl}/v3/service_route_bindings/${binding.bindingGuid}`
    return {
      guid: binding.bindingGuid,
      route_service_url: binding.url,
      ...times(binding),
      last_operation: { type: 'create', state: 'succeeded', description: '', ...times(binding) },
      metadata: { labels: {}, annotations: {} },
      relationships: { route: { data: { guid: route.guid } }, service_instance: { data: { guid: binding.serviceInstanceGuid } } },
      links: {
        self: link(self),
        route: link(`${this.apiUrl}/v3/routes/${route.guid}`),
        service_instance: link(`${this.apiUrl}/v3/service_instances/${binding.serviceInstanceGuid}`),
        parameters: link(`${self}/parameters`),
      },
    }
  }

  route(route: RouteRecord) {
    const self = `${this.apiUrl}/v3/routes/${route.guid}`
    const domain = this.state.domainOf(route)
    return {
      guid: route.guid,
      protocol: route.protocol,
      port: route.port,
      ...times(route),
      host: route.host,
      path: route.path,
      url: route.protocol === 'tcp' ? `${domain.name}:${route.port}` : `${fqdnOf(route.host, domain.name)}${route.path}`,
      destinations: route.destinations.map((d) => ({
        guid: d.guid,
        app: { guid: d.appGuid, process: { type: 'web' } },
        weight: null,
        port: d.port,
        protocol: route.protocol === 'tcp' ? 'tcp' : 'http1',
        ...times(d),
      })),
      options: { loadbalancing: 'round-robin' },
      metadata: metadata(route),
      relationships: { space: { data: { guid: route.spaceGuid } }, domain: { data: { guid: route.domainGuid } } },
      links: {
        self: link(self),
        space: link(`${this.apiUrl}/v3/spaces/${route.spaceGuid}`),
        domain: link(`${this.apiUrl}/v3/domains/${route.domainGuid}`),
        destinations: link(`${self}/destinations`),
      },
    }
  }

  process(app: AppRecord) {
    const self = `${this.apiUrl}/v3/processes/${app.processGuid}`
    return {
      guid: app.processGuid,
      type: 'web',
      command: './app',
      user: 'vcap',
      instances: app.instances,
      memory_in_mb: 256,
      disk_in_mb: 1024,
      log_rate_limit_in_bytes_per_second: -1,
      health_check: { type: 'port', data: { timeout: null } },
      readiness_health_check: { type: 'process', data: { invocation_timeout: null } },
      relationships: { app: { data: { guid: app.guid } }, revision: { data: null } },
      metadata: { labels: {}, annotations: {} },
      ...times(app),
      version: app.processGuid,
      links: {
        self: link(self),
        scale: { href: `${self}/actions/scale`, method: 'POST' },
        app: link(`${this.apiUrl}/v3/apps/${app.guid}`),
        space: link(`${this.apiUrl}/v3/spaces/${app.spaceGuid}`),
        stats: link(`${self}/stats`),
        process_instances: link(`${self}/process_instances`),
      },
    }
  }

  /** Process stats: one entry per desired index, DOWN entries in their reduced shape. */
  stats(app: AppRecord) {
    const resources = Array.from({ length: app.instances }, (_, index) => {
      const state = this.state.instanceState(app, index)
      if (state === 'DOWN') {
        return { type: 'web', index, state, routable: null, uptime: 0, isolation_segment: null, details: null }
      }
      const running = state === 'RUNNING'
      return {
        type: 'web',
        index,
        instance_guid: this.state.instanceGuid(app, index),
        state,
        routable: running,
        usage: running
          ? { time: new Date().toISOString(), cpu: 0.0012, cpu_entitlement: 0.011, mem: 19177472, disk: 69705728, log_rate: 0 }
          : {},
        host: running ? '10.244.16.10' : '',
        instance_internal_ip: running ? `10.255.${index % 256}.${(index >> 8) + 2}` : '',
        instance_ports: running
          ? [{ external: 61000 + index, internal: app.internalPort, external_tls_proxy_port: 62000 + index, internal_tls_proxy_port: 63000 + index }]
          : null,
        uptime: running ? 9042 : 0,
        mem_quota: 268435456,
        disk_quota: 1073741824,
        fds_quota: 16384,
        isolation_segment: null,
        log_rate_limit: null,
        details: state === 'CRASHED' ? 'APP/PROC/WEB: Exited with status 1' : null,
      }
    })
    return { resources }
  }
}
