/**
 * Route choice against the simulated foundation, whose Cloud Controller lists TCP routes
 * (`<domain>:<port>`), wildcard hosts and route services bound to routes as the real one does:
 * such routes are never chosen (a route service loses `X-CF-APP-INSTANCE`), an app
 * with no other route is reported with the reason instead of scraped at random, and an internal
 * route is scraped on the port of the route's destination (the app's own port) when the target
 * names none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { oneSpace, startSimulator, type Simulator } from '../../support/simulator/index.ts'
import { portOf, rawRequest } from '../../simulator/helpers.ts'
import { build, cfBlock, discovery, get, instancesOf, recordingLogger } from './helpers.ts'

const TCP = { host: '', domain: 'tcp.sim.localhost', protocol: 'tcp' as const, port: 6666 }

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator(
    oneSpace('acme', 'dev', [
      // TCP and wildcard routes listed first: a naive choice would take them.
      { name: 'mixed', instances: 2, routes: [TCP, { host: '*' }, { host: 'mixed' }] },
      { name: 'tcp-only', routes: [{ ...TCP, port: 7777 }, { host: '*', domain: 'other.sim.localhost' }] },
      { name: 'ported', routes: [{ host: 'ported', domain: 'apps.internal' }], internalPort: 9000 },
      // The route with a route service comes first: a naive choice would take it.
      { name: 'guarded', instances: 2, routes: [{ host: 'guarded', routeService: 'https://auth-proxy.example.com' }, { host: 'guarded-direct' }] },
      { name: 'service-only', instances: 2, routes: [{ host: 'service-only', routeService: 'https://auth-proxy.example.com' }] },
    ]),
  )
})
afterAll(() => sim?.close())

const config = (extra = '') => `${cfBlock(sim)}promregator:
  discovery: { ownMetricsEndpoint: false }
  scraping: { proxy: { host: 127.0.0.1, port: ${new URL(sim.proxyUrl).port} }, proxyInternalRoutes: true }
  targets:
    - { orgName: acme, spaceName: dev, protocol: http${extra} }
`

describe('route choice on a foundation with TCP and wildcard routes', () => {
  it('lists the TCP and wildcard routes as the Cloud Controller does', async () => {
    const token = sim.issueToken()
    const routes = (await (await fetch(`${sim.apiUrl}/v3/routes`, { headers: { authorization: `bearer ${token}` } })).json()) as { resources: Array<{ protocol: string; url: string; port: number | null }> }
    const byUrl = Object.fromEntries(routes.resources.map((r) => [r.url, [r.protocol, r.port]]))
    expect(byUrl).toMatchObject({ 'tcp.sim.localhost:6666': ['tcp', 6666], '*.apps.sim.localhost': ['http', null], 'mixed.apps.sim.localhost': ['http', null] })
  })

  it('scrapes every instance through the usable route, and reports the app that has none', async () => {
    const logger = recordingLogger()
    const p = build(config(), logger)
    const groups = await discovery(p)
    expect(instancesOf(groups)).toEqual(['guarded/0', 'guarded/1', 'mixed/0', 'mixed/1', 'ported/0'])
    const mixed = p.targets.peek().targets.filter((t) => t.display.app === 'mixed')
    expect(mixed.map((t) => t.url)).toEqual(['http://mixed.apps.sim.localhost/metrics', 'http://mixed.apps.sim.localhost/metrics'])
    for (const target of mixed) expect((await get(p, `/singleTargetMetrics/${target.id.replace(':', '/')}`)).body).toMatch(/^promregator_up 1$/m)
    expect(logger.lines.filter((l) => l.includes('tcp-only'))).toEqual([expect.stringContaining('no route can address one instance (tcp route tcp.sim.localhost:7777, wildcard route *.other.sim.localhost)')])
    expect((await get(p, '/', { accept: 'application/json' })).body).toContain('no route can address one instance')
    p.stop()
  })

  it('never chooses a route with a route service, and reports the app that has no other', async () => {
    const logger = recordingLogger()
    const p = build(config(), logger)
    await discovery(p)
    const guarded = p.targets.peek().targets.filter((t) => t.display.app === 'guarded')
    expect(guarded.map((t) => t.url)).toEqual(['http://guarded-direct.apps.sim.localhost/metrics', 'http://guarded-direct.apps.sim.localhost/metrics'])
    expect(p.targets.peek().problems).toContainEqual({ where: 'acme/dev', app: 'service-only', reason: 'no route can address one instance (route service-only.apps.sim.localhost with a route service (https://auth-proxy.example.com))' })
    p.stop()
  })

  it('the simulated router loses X-CF-APP-INSTANCE on a route with a route service, as the real one does', async () => {
    const app = sim.app('service-only')
    const answered = new Set<string>()
    for (let i = 0; i < 20; i++) {
      await rawRequest(portOf(sim.proxyUrl), 'http://service-only.apps.sim.localhost/metrics', { 'X-CF-APP-INSTANCE': `${app.guid}:0` })
      answered.add(sim.routerRequests().at(-1)!.instance!)
    }
    expect(answered).toEqual(new Set([`${app.guid}:0`, `${app.guid}:1`]))
    const token = sim.issueToken()
    const bindings = (await (await fetch(`${sim.apiUrl}/v3/service_route_bindings?route_guids=${sim.routeGuid('service-only.apps.sim.localhost')}`, { headers: { authorization: `bearer ${token}` } })).json()) as { resources: Array<{ route_service_url: string }> }
    expect(bindings.resources.map((b) => b.route_service_url)).toEqual(['https://auth-proxy.example.com'])
  })

  it("scrapes an internal route on its destination's port, over the container network", async () => {
    const p = build(config(), recordingLogger())
    await discovery(p)
    const ported = p.targets.peek().targets.find((t) => t.display.app === 'ported')!
    expect(ported.url).toBe('http://0.ported.apps.internal:9000/metrics')
    expect(ported.privateNetwork).toBe(true)
    expect((await get(p, `/singleTargetMetrics/${ported.id.replace(':', '/')}`)).body).toMatch(/^promregator_up 1$/m)
    p.stop()
  })

  it('sends scrapes of internal routes past the scraping proxy unless proxyInternalRoutes says otherwise', async () => {
    const direct = `${cfBlock(sim)}promregator:
  discovery: { ownMetricsEndpoint: false }
  scraping: { proxy: { host: 127.0.0.1, port: ${new URL(sim.proxyUrl).port} }, maxProcessingTime: 2000 }
  targets:
    - { orgName: acme, spaceName: dev, applicationName: ported, protocol: http }
`
    const p = build(direct, recordingLogger())
    await discovery(p)
    const ported = p.targets.peek().targets[0]!
    const before = sim.routerRequests().length
    // No proxy: the name resolves only inside the foundation, so here the scrape fails at DNS.
    expect((await get(p, `/singleTargetMetrics/${ported.id.replace(':', '/')}`)).body).toMatch(/^promregator_up 0$/m)
    expect(sim.routerRequests().slice(before).filter((r) => r.host.includes('ported'))).toEqual([])
    p.stop()
  })

  it("keeps the target's internalRoutePort before the destination's port", async () => {
    const p = build(config(', internalRoutePort: 9100'), recordingLogger())
    await discovery(p)
    expect(p.targets.peek().targets.find((t) => t.display.app === 'ported')!.url).toBe('http://0.ported.apps.internal:9100/metrics')
    p.stop()
  })
})
