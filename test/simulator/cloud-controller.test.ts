/**
 * @module test/simulator/cloud-controller
 * The simulated Cloud Controller v3 over real sockets: root documents, auth errors, pagination,
 * filters, includes, label selectors and resource shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bigLandscape, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { GUIDS, testLandscape } from './fixtures.ts'
import { ccGet, walkPages } from './helpers.ts'

let sim: Simulator
let big: Simulator

beforeAll(async () => {
  sim = await startSimulator(testLandscape())
  big = await startSimulator(bigLandscape({ apps: 120, spaces: 4 }))
})
afterAll(async () => {
  await sim.close()
  await big.close()
})

const names = (body: any) => body.resources.map((r: { name: string }) => r.name).sort()

describe('root documents', () => {
  it('serves / with links to v3, login and uaa without auth', async () => {
    const res = await fetch(`${sim.apiUrl}/`)
    const body = (await res.json()) as any
    expect(res.status).toBe(200)
    expect(body.links.self.href).toBe(sim.apiUrl)
    expect(body.links.cloud_controller_v3.href).toBe(`${sim.apiUrl}/v3`)
    expect(body.links.uaa.href).toBe(sim.uaaUrl)
    expect(body.links.login.href).toBe(sim.uaaUrl)
  })

  it('serves /v3 and /v3/info without auth', async () => {
    const v3 = (await (await fetch(`${sim.apiUrl}/v3`)).json()) as any
    expect(v3.links.apps.href).toBe(`${sim.apiUrl}/v3/apps`)
    const info = (await (await fetch(`${sim.apiUrl}/v3/info`)).json()) as any
    expect(info.links.self.href).toBe(`${sim.apiUrl}/v3/info`)
    expect(info).not.toHaveProperty('links.uaa')
  })
})

describe('authentication', () => {
  it('answers 401 CF-NotAuthenticated without a token', async () => {
    const res = await fetch(`${sim.apiUrl}/v3/apps`)
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ errors: [{ code: 10002, title: 'CF-NotAuthenticated', detail: 'Authentication error' }] })
  })

  it('answers 401 CF-InvalidAuthToken for an unknown token', async () => {
    const res = await ccGet(sim, '/v3/apps', 'not-a-token')
    expect(res.status).toBe(401)
    expect(res.body.errors[0]).toMatchObject({ code: 1000, title: 'CF-InvalidAuthToken' })
  })

  it('accepts the scheme in any case', async () => {
    const res = await fetch(`${sim.apiUrl}/v3/organizations`, { headers: { Authorization: `Bearer ${sim.issueToken()}` } })
    expect(res.status).toBe(200)
  })
})

describe('pagination', () => {
  it('defaults to 50 per page and walks next.href to the end', async () => {
    const first = await ccGet(big, '/v3/apps')
    expect(first.body.pagination).toMatchObject({ total_results: 120, total_pages: 3, previous: null })
    expect(first.body.pagination.first.href).toBe(`${big.apiUrl}/v3/apps?page=1&per_page=50`)
    expect(first.body.pagination.last.href).toBe(`${big.apiUrl}/v3/apps?page=3&per_page=50`)
    expect(first.body.pagination.next.href).toBe(`${big.apiUrl}/v3/apps?page=2&per_page=50`)
    const walked = await walkPages(big, '/v3/apps')
    expect(walked.pages).toBe(3)
    expect(new Set(walked.resources.map((r) => r.guid)).size).toBe(120)
  })

  it('keeps every original query parameter in the links', async () => {
    const spaceGuid = big.spaces()[0]?.guid
    const path = `/v3/apps?space_guids=${spaceGuid}&label_selector=prometheus-scrape%3Dtrue&per_page=7&include=space.organization`
    const first = await ccGet(big, path)
    expect(first.body.pagination.total_results).toBe(30)
    expect(first.body.pagination.next.href).toBe(
      `${big.apiUrl}/v3/apps?space_guids=${spaceGuid}&label_selector=prometheus-scrape%3Dtrue&include=space.organization&page=2&per_page=7`,
    )
    const last = await ccGet(big, first.body.pagination.last.href)
    expect(last.body.resources).toHaveLength(2)
    expect(last.body.pagination.next).toBeNull()
    expect(last.body.pagination.previous.href).toContain('page=4&per_page=7')
    const walked = await walkPages(big, path)
    expect(walked.resources).toHaveLength(30)
  })

  it.each([['0'], ['5001'], ['-1']])('rejects per_page=%s with 400 CF-BadQueryParameter', async (perPage) => {
    const res = await ccGet(sim, `/v3/apps?per_page=${perPage}`)
    expect(res.status).toBe(400)
    expect(res.body.errors[0]).toEqual({ code: 10005, title: 'CF-BadQueryParameter', detail: 'per_page must be between 1 and 5000' })
  })

  it('rejects non-numeric per_page and page', async () => {
    expect((await ccGet(sim, '/v3/apps?per_page=abc')).body.errors[0].detail).toBe('per_page must be a positive integer')
    expect((await ccGet(sim, '/v3/apps?page=0')).body.errors[0].detail).toBe('page must be a positive integer')
  })

  it('accepts per_page 1 and 5000', async () => {
    expect((await ccGet(sim, '/v3/apps?per_page=1')).body.resources).toHaveLength(1)
    expect((await ccGet(big, '/v3/apps?per_page=5000')).body.resources).toHaveLength(120)
  })

  it('returns an empty page past the end', async () => {
    const res = await ccGet(sim, '/v3/apps?page=9')
    expect(res.body.resources).toEqual([])
    expect(res.body.pagination.next).toBeNull()
  })

  it('rejects unknown query parameters', async () => {
    const res = await ccGet(sim, '/v3/apps?app_guids=x')
    expect(res.status).toBe(400)
    expect(res.body.errors[0].detail).toContain("Unknown query parameter(s): 'app_guids'")
  })
})

describe('organizations and spaces', () => {
  it('filters organizations by names case-insensitively and by guids', async () => {
    expect(names((await ccGet(sim, '/v3/organizations?names=alpha,BETA')).body)).toEqual(['Alpha', 'beta'])
    const beta = sim.orgs().find((o) => o.name === 'beta')
    expect(names((await ccGet(sim, `/v3/organizations?guids=${beta?.guid}`)).body)).toEqual(['beta'])
  })

  it('filters organizations by label_selector', async () => {
    expect(names((await ccGet(sim, '/v3/organizations?label_selector=env=prod')).body)).toEqual(['Alpha'])
  })

  it('filters spaces by names and organization_guids and includes organizations', async () => {
    const alpha = sim.orgs().find((o) => o.name === 'Alpha')
    const res = await ccGet(sim, `/v3/spaces?names=DEV&organization_guids=${alpha?.guid}&include=organization`)
    expect(res.body.resources).toHaveLength(1)
    expect(res.body.resources[0].relationships.organization.data.guid).toBe(alpha?.guid)
    expect(res.body.included.organizations.map((o: any) => o.name)).toEqual(['Alpha'])
    expect((await ccGet(sim, '/v3/spaces?names=dev')).body.resources).toHaveLength(2)
  })
})

describe('apps', () => {
  it('has the reference shape', async () => {
    const res = await ccGet(sim, `/v3/apps?guids=${GUIDS.shop}`)
    const app = res.body.resources[0]
    expect(app).toMatchObject({ guid: GUIDS.shop, name: 'shop', state: 'STARTED', metadata: { labels: { env: 'dev' }, annotations: {} } })
    expect(app.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(app.links.processes.href).toBe(`${sim.apiUrl}/v3/apps/${GUIDS.shop}/processes`)
    expect(app.relationships.space.data.guid).toBe(sim.app('shop').spaceGuid)
  })

  it('filters by names, space_guids and organization_guids (AND across, OR within)', async () => {
    const shop = sim.app('shop')
    const billing = sim.app('billing')
    expect(names((await ccGet(sim, '/v3/apps?names=SHOP,billing')).body)).toEqual(['billing', 'shop'])
    expect(names((await ccGet(sim, `/v3/apps?space_guids=${shop.spaceGuid},${billing.spaceGuid}`)).body)).toEqual(['billing', 'shop', 'stopped', 'worker'])
    expect(names((await ccGet(sim, `/v3/apps?organization_guids=${shop.orgGuid}&names=shop,internal`)).body)).toEqual(['shop'])
  })

  it('treats %2C like a literal comma between values (Rack decodes before CC splits)', async () => {
    const res = await ccGet(sim, `/v3/apps?guids=${GUIDS.shop}%2C${GUIDS.worker}`)
    expect(names(res.body)).toEqual(['shop', 'worker'])
  })

  it('includes space and space.organization as unique top-level resources', async () => {
    const res = await ccGet(sim, '/v3/apps?include=space.organization')
    expect(res.body.included.spaces).toHaveLength(3)
    expect(res.body.included.organizations.map((o: any) => o.name).sort()).toEqual(['Alpha', 'beta'])
    const spaceOnly = await ccGet(sim, '/v3/apps?include=space')
    expect(spaceOnly.body.included).not.toHaveProperty('organizations')
    expect((await ccGet(sim, '/v3/apps?include=routes')).status).toBe(400)
  })

  it.each([
    ['scrape', ['internal', 'shop']],
    ['!scrape', ['bearer', 'billing', 'secured', 'stopped', 'worker']],
    ['env=prod', ['billing', 'worker']],
    ['env==prod', ['billing', 'worker']],
    ['env!=prod', ['bearer', 'internal', 'secured', 'shop', 'stopped']],
    ['tier in (backend,worker)', ['shop', 'worker']],
    ['tier notin (backend)', ['bearer', 'billing', 'internal', 'secured', 'stopped', 'worker']],
    ['env=prod,!chargeback-code', ['worker']],
    ['env=dev,tier in (backend,worker),scrape', ['shop']],
  ])('label_selector %s', async (selector, expected) => {
    const res = await ccGet(sim, `/v3/apps?label_selector=${encodeURIComponent(selector)}`)
    expect(res.status).toBe(200)
    expect(names(res.body)).toEqual(expected)
  })

  it('rejects a malformed label_selector', async () => {
    const res = await ccGet(sim, `/v3/apps?label_selector=${encodeURIComponent('tier in (a,b')}`)
    expect(res.status).toBe(400)
    expect(res.body.errors[0].title).toBe('CF-BadQueryParameter')
  })

  it('orders by name descending', async () => {
    const res = await ccGet(sim, '/v3/apps?order_by=-name&per_page=2')
    expect(res.body.resources.map((a: any) => a.name)).toEqual(['worker', 'stopped'])
  })

  it('answers 404 CF-ResourceNotFound for an unknown app', async () => {
    const res = await ccGet(sim, '/v3/apps/00000000-0000-4000-8000-000000000000')
    expect(res.status).toBe(404)
    expect(res.body.errors[0]).toMatchObject({ code: 10010, title: 'CF-ResourceNotFound' })
  })
})

describe('routes and domains', () => {
  it('lists routes with url, destinations and the domain included', async () => {
    const res = await ccGet(sim, `/v3/routes?app_guids=${GUIDS.internal}&include=domain`)
    const route = res.body.resources[0]
    expect(route).toMatchObject({ host: 'internal', path: '', url: 'internal.apps.internal' })
    expect(route.destinations).toEqual([expect.objectContaining({ app: { guid: GUIDS.internal, process: { type: 'web' } }, port: 9090, protocol: 'http1' })])
    expect(res.body.included.domains).toEqual([expect.objectContaining({ name: 'apps.internal', internal: true, guid: route.relationships.domain.data.guid })])
  })

  it('shares one route between apps mapped to the same host', async () => {
    const res = await ccGet(sim, '/v3/routes?hosts=api')
    const urls = res.body.resources.map((r: any) => r.url).sort()
    expect(urls).toEqual(['api.apps.sim.localhost', 'api.apps.sim.localhost/worker'])
  })

  it('filters routes by space_guids, organization_guids and domain_guids', async () => {
    const shop = sim.app('shop')
    expect((await ccGet(sim, `/v3/routes?space_guids=${shop.spaceGuid}`)).body.resources).toHaveLength(3)
    expect((await ccGet(sim, `/v3/routes?organization_guids=${shop.orgGuid}`)).body.resources).toHaveLength(6)
    const domains = (await ccGet(sim, '/v3/domains')).body.resources
    const internal = domains.find((d: any) => d.internal)
    expect(domains.map((d: any) => d.name).sort()).toEqual(['apps.internal', 'apps.sim.localhost'])
    expect((await ccGet(sim, `/v3/routes?domain_guids=${internal.guid}`)).body.resources).toHaveLength(1)
  })

  it('lists an app routes and an org domains', async () => {
    expect((await ccGet(sim, `/v3/apps/${GUIDS.worker}/routes`)).body.resources).toHaveLength(2)
    const org = sim.orgs()[0]
    expect((await ccGet(sim, `/v3/organizations/${org?.guid}/domains`)).body.pagination.total_results).toBe(2)
  })
})

describe('processes and stats', () => {
  it('lists web processes with desired instances, guid different from the app guid', async () => {
    const res = await ccGet(sim, `/v3/processes?app_guids=${GUIDS.shop},${GUIDS.worker}&types=web`)
    expect(res.body.resources).toHaveLength(2)
    const shop = res.body.resources.find((p: any) => p.relationships.app.data.guid === GUIDS.shop)
    expect(shop).toMatchObject({ type: 'web', instances: 3 })
    expect(shop.guid).not.toBe(GUIDS.shop)
    expect(shop.links.stats.href).toBe(`${sim.apiUrl}/v3/processes/${shop.guid}/stats`)
    expect((await ccGet(sim, `/v3/processes?space_guids=${sim.app('shop').spaceGuid}&types=worker`)).body.resources).toEqual([])
    expect((await ccGet(sim, `/v3/apps/${GUIDS.shop}/processes`)).body.resources[0].guid).toBe(shop.guid)
  })

  it('reports stats per index with DOWN entries in their reduced shape', async () => {
    const processGuid = sim.app('shop').processGuid
    const stats = (await ccGet(sim, `/v3/processes/${processGuid}/stats`)).body
    expect(stats.resources.map((r: any) => r.state)).toEqual(['RUNNING', 'CRASHED', 'RUNNING'])
    expect(stats.resources[0]).toMatchObject({ type: 'web', index: 0, routable: true, instance_ports: [{ internal: 8080 }] })
    const stopped = (await ccGet(sim, `/v3/apps/${GUIDS.stopped}/processes/web/stats`)).body
    expect(stopped.resources).toEqual([
      { type: 'web', index: 0, state: 'DOWN', routable: null, uptime: 0, isolation_segment: null, details: null },
      { type: 'web', index: 1, state: 'DOWN', routable: null, uptime: 0, isolation_segment: null, details: null },
    ])
  })
})
