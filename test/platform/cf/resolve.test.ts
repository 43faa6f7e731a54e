/**
 * The resolver against the simulator: what it asks the Cloud Controller (cost that grows with
 * pages, narrow selections by app GUID, URLs within budget) and how each resource class is
 * reused for its own `cf.cache.timeout.*`, with new apps filled in by GUID.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cfDefaults, defaultCacheTimeouts, simulatorClient } from '../../support/cf-client.ts'
import { targetSchema } from '../../../src/config/schema.ts'
import { createCfDiscoverer, type CacheTimeouts } from '../../../src/platform/cf/resolve.ts'
import { silentLogger } from '../../../src/log.ts'
import { bigLandscape, oneSpace, startSimulator, type Landscape, type Simulator } from '../../support/simulator/index.ts'

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

async function setup(landscape: Landscape, targets: object[], cacheTimeouts?: Partial<CacheTimeouts>, now?: () => number) {
  const s = await startSimulator(landscape)
  sim = s
  const client = simulatorClient(s)
  const discoverer = createCfDiscoverer({
    client,
    targets: targets.map((t, index) => ({ index, target: targetSchema.parse(t) })),
    logger: silentLogger,
    cacheTimeouts: defaultCacheTimeouts(cacheTimeouts),
    requestTimeouts: cfDefaults().request.timeout,
    now,
  })
  return { sim: s, discoverer }
}

const ccCalls = (s: Simulator) => s.requests().filter((r) => r.server === 'cc')
const paths = (s: Simulator) => ccCalls(s).map((r) => r.path)
const count = (list: string[]) => list.reduce<Record<string, number>>((acc, p) => ({ ...acc, [p]: (acc[p] ?? 0) + 1 }), {})

describe('query plan', () => {
  it('reads filtered collections: the number of requests follows pages, not apps', async () => {
    const { sim: s, discoverer } = await setup(bigLandscape({ apps: 1200, instancesPerApp: 2, spaces: 40 }), [{ orgRegex: 'org-.*' }])
    s.faults.maxPerPage = 500
    const apps = await discoverer.discover()
    expect(apps).toHaveLength(1200)
    expect(apps.every((a) => a.instances === 2 && a.routes.length === 1)).toBe(true)
    // Route services: one list of every binding the user can see, however many routes.
    expect(count(paths(s))).toEqual({ '/': 1, '/v3/organizations': 1, '/v3/spaces': 1, '/v3/apps': 3, '/v3/routes': 3, '/v3/processes': 3, '/v3/service_route_bindings': 1 })
    const first = (path: string) => decodeURIComponent(ccCalls(s).find((r) => r.path === path)!.query)
    expect(first('/v3/routes')).toMatch(/include=domain/)
    // Whole organizations selected: asked for by organization.
    expect(first('/v3/apps')).toMatch(/organization_guids=/)
    expect(first('/v3/routes')).toMatch(/organization_guids=/)
    expect(first('/v3/processes')).toMatch(/types=web/)
  })

  it('asks for a narrow selection by name and app GUID', async () => {
    const { sim: s, discoverer } = await setup(bigLandscape({ apps: 200, spaces: 4 }), [{ orgName: 'org-0', applicationName: 'app-4' }, { orgName: 'org-0', applicationName: 'app-8' }])
    const apps = await discoverer.discover()
    expect(apps.map((a) => a.appName).sort()).toEqual(['app-4', 'app-8'])
    const query = (path: string) => decodeURIComponent(ccCalls(s).find((r) => r.path === path)!.query)
    expect(query('/v3/organizations')).toMatch(/names=org-0/)
    expect(query('/v3/apps')).toMatch(/names=app-4,app-8/)
    expect(query('/v3/routes')).toMatch(new RegExp(`app_guids=(${apps[0]!.appGuid},${apps[1]!.appGuid}|${apps[1]!.appGuid},${apps[0]!.appGuid})`))
    expect(query('/v3/processes')).toMatch(/app_guids=/)
  })

  it('keeps every URL under 8 KB however many spaces are selected', async () => {
    const { sim: s, discoverer } = await setup(bigLandscape({ apps: 800, spaces: 400 }), [{ spaceRegex: 'space-.*' }])
    expect(await discoverer.discover()).toHaveLength(800)
    const longest = Math.max(...ccCalls(s).map((r) => r.path.length + r.query.length + 1))
    expect(longest).toBeLessThan(8000)
    expect(count(paths(s))['/v3/apps']).toBeGreaterThan(1) // 400 space GUIDs did not fit one URL
  })

  it('asks by organization when whole organizations are selected: one URL for 400 spaces', async () => {
    const { sim: s, discoverer } = await setup(bigLandscape({ apps: 800, spaces: 400 }), [{}])
    expect(await discoverer.discover()).toHaveLength(800)
    const counted = count(paths(s))
    expect([counted['/v3/apps'], counted['/v3/routes'], counted['/v3/processes']]).toEqual([1, 1, 1])
    for (const path of ['/v3/apps', '/v3/routes', '/v3/processes']) {
      expect(decodeURIComponent(ccCalls(s).find((r) => r.path === path)!.query)).toMatch(/organization_guids=/)
    }
  })
})

describe('per-class caching', () => {
  it('reads each class again only when older than its timeout, and fills in new apps by GUID', async () => {
    let now = 1_000_000
    const landscape = oneSpace('o', 's', [{ name: 'a', routes: [{ host: 'a' }] }])
    const { sim: s, discoverer } = await setup(landscape, [{ orgName: 'o', spaceName: 's' }], { application: 60_000, route: 300_000, process: 300_000 }, () => now)
    await discoverer.discover()

    s.clearLogs()
    now += 30_000
    expect((await discoverer.discover()).map((a) => a.appName)).toEqual(['a'])
    expect(paths(s)).toEqual([])

    s.addApp('o/s', { name: 'b', instances: 3, routes: [{ host: 'b' }] })
    now += 31_000 // apps are due, routes and processes are not
    const apps = await discoverer.discover()
    expect(apps.map((a) => `${a.appName}:${a.instances}:${a.routes.length}`).sort()).toEqual(['a:1:1', 'b:3:1'])
    const b = s.app('b').guid
    expect(ccCalls(s).map((r) => `${r.path}?${decodeURIComponent(r.query).replace(/per_page=\d+&?/, '')}`).sort()).toEqual([
      `/v3/apps?space_guids=${s.spaces()[0]!.guid}`,
      `/v3/processes?types=web&app_guids=${b}`,
      `/v3/routes?include=domain&app_guids=${b}`,
      `/v3/service_route_bindings?route_guids=${s.routeGuid('b.apps.sim.localhost')}`,
    ])

    s.clearLogs()
    now += 3_600_000 // everything is due
    await discoverer.discover()
    expect(count(paths(s))).toEqual({ '/v3/organizations': 1, '/v3/spaces': 1, '/v3/apps': 1, '/v3/routes': 1, '/v3/processes': 1, '/v3/service_route_bindings': 1 })
  })

  it('invalidates only the classes named', async () => {
    const landscape = oneSpace('o', 's', [{ name: 'a', routes: [{ host: 'a' }] }])
    const { sim: s, discoverer } = await setup(landscape, [{ orgName: 'o' }])
    await discoverer.discover()
    s.clearLogs()
    discoverer.invalidate!(['domain'])
    await discoverer.discover()
    expect(paths(s)).toEqual(['/v3/routes', '/v3/service_route_bindings'])
    s.clearLogs()
    discoverer.invalidate!(['resolver', 'space'])
    await discoverer.discover()
    expect(paths(s).sort()).toEqual(['/v3/apps', '/v3/spaces'])
    s.clearLogs()
    discoverer.invalidate!()
    await discoverer.discover()
    expect(paths(s).sort()).toEqual(['/v3/apps', '/v3/organizations', '/v3/processes', '/v3/routes', '/v3/service_route_bindings', '/v3/spaces'])
  })
})
