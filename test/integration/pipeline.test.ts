/**
 * The first slice against the simulated foundation: discovery picks exactly the right instances,
 * each scrape reaches exactly its instance (X-CF-APP-INSTANCE or internal hostname), target
 * authentication works, broken instances are `promregator_up 0`, and unknown instances are a 404
 * with no outbound request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assemble, type Assembled } from '../../src/assemble.ts'
import { loadConfigText } from '../../src/config/load.ts'
import { silentLogger } from '../../src/log.ts'
import { proxyAwareFetch } from '../support/proxy-fetch.ts'
import { simConfig } from '../support/sim-config.ts'
import { expectedSampleValues, startSimulator, type Landscape, type Simulator } from '../support/simulator/index.ts'

const landscape: Landscape = {
  orgs: [
    {
      name: 'Org1',
      spaces: [
        {
          name: 'dev',
          apps: [
            { name: 'app1', instances: 2, routes: [{ host: 'app1-dev' }] },
            { name: 'secured', instances: 1, routes: [{ host: 'secured' }], basicAuth: { username: 'metrics', password: 'p4ss' } },
            { name: 'stopped', state: 'STOPPED', instances: 1, routes: [{ host: 'stopped' }] },
            { name: 'flaky', instances: 3, instanceStates: ['RUNNING', 'CRASHED', 'RUNNING'], routes: [{ host: 'flaky' }] },
            { name: 'noroute', instances: 1 },
          ],
        },
        {
          name: 'prod',
          apps: [
            { name: 'app1', instances: 1, routes: [{ host: 'app1-prod' }] },
            { name: 'shop-a', instances: 1, routes: [{ host: 'shop-a' }] },
            { name: 'shop-b', instances: 2, routes: [{ host: 'shop-b-old' }, { host: 'shop-b' }], format: 'openmetrics' },
            { name: 'myshop-a', instances: 1, routes: [{ host: 'myshop-a' }] },
          ],
        },
      ],
    },
    {
      name: 'org2',
      spaces: [
        {
          name: 'dev',
          apps: [{ name: 'internal-app', instances: 2, internalPort: 9090, routes: [{ host: 'internal-app', domain: 'apps.internal' }] }],
        },
      ],
    },
    { name: 'other-org', spaces: [{ name: 'dev', apps: [{ name: 'app1', instances: 1, routes: [{ host: 'app1-other' }] }] }] },
  ],
}

function config(sim: Simulator, targets: string): string {
  return simConfig(
    sim,
    `  discovery:
    ownMetricsEndpoint: false
  targetAuthenticators:
    - id: secured-basic
      type: basic
      basic: { username: metrics, password: p4ss }
  targets:
${targets}`,
  )
}

const TARGETS = `
    - { orgName: ORG1, spaceName: dev, applicationName: APP1, protocol: http }
    - { orgName: org1, spaceRegex: "pro.*", applicationRegex: "shop-.*", protocol: http, preferredRouteRegex: ["shop-b\\\\..*"] }
    - { orgName: org1, spaceName: dev, applicationName: secured, protocol: http, authenticatorId: secured-basic }
    - { orgName: org1, spaceName: dev, applicationName: stopped, protocol: http }
    - { orgName: org1, spaceName: dev, applicationName: flaky, protocol: http }
    - { orgName: org1, spaceName: dev, applicationName: noroute, protocol: http }
    - { orgRegex: "org2", spaceName: dev, applicationName: internal-app, internalRoutePort: 9090 }
`

function build(sim: Simulator, targets = TARGETS): Assembled {
  const loaded = loadConfigText(config(sim, targets))
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'))
  return assemble(loaded.config, { fetch: proxyAwareFetch, logger: silentLogger })
}

let sim: Simulator
let pipeline: Assembled

beforeAll(async () => {
  sim = await startSimulator(landscape)
  pipeline = build(sim)
})
afterAll(async () => {
  await sim?.close()
})

const guidOf = (name: string, space = 'dev') => sim.apps().find((a) => a.name === name && a.space === space)!.guid

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await pipeline.app.request(path, { headers: { host: 'promregator.test:8080', ...headers } })
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() }
}

describe('discovery', () => {
  it('selects exactly the started instances the targets name', async () => {
    const { status, type, body } = await get('/discovery')
    expect(status).toBe(200)
    expect(type).toMatch(/^application\/json/)
    const groups = JSON.parse(body) as Array<{ targets: string[]; labels: Record<string, string> }>
    const ids = groups.map((g) => `${g.labels.__meta_promregator_target_spaceName}/${g.labels.__meta_promregator_target_applicationName}/${g.labels.__meta_promregator_target_instanceNumber}`)
    expect(ids.sort()).toEqual(
      ['dev/app1/0', 'dev/app1/1', 'prod/shop-a/0', 'prod/shop-b/0', 'prod/shop-b/1', 'dev/secured/0', 'dev/flaky/0', 'dev/flaky/1', 'dev/flaky/2', 'dev/internal-app/0', 'dev/internal-app/1'].sort(),
    )
  })

  it('writes the labels of the original and the address of the request', async () => {
    const groups = JSON.parse((await get('/discovery')).body) as Array<{ targets: string[]; labels: Record<string, string> }>
    const guid = guidOf('app1')
    const group = groups.find((g) => g.labels.__meta_promregator_target_instanceId === `${guid}:1`)
    expect(group).toEqual({
      targets: ['promregator.test:8080'],
      labels: {
        __meta_promregator_target_path: `/singleTargetMetrics/${guid}/1`,
        __meta_promregator_target_orgName: 'Org1',
        __meta_promregator_target_spaceName: 'dev',
        __meta_promregator_target_applicationName: 'app1',
        __meta_promregator_target_applicationId: guid,
        __meta_promregator_target_instanceNumber: '1',
        __meta_promregator_target_instanceId: `${guid}:1`,
        __metrics_path__: `/singleTargetMetrics/${guid}/1`,
      },
    })
  })

  it('follows pagination to the end', async () => {
    const small = await startSimulator(landscape, { maxPerPage: 1 })
    try {
      const p = build(small)
      const groups = JSON.parse(await (await p.app.request('/discovery')).text()) as unknown[]
      expect(groups).toHaveLength(11)
      expect(small.requests().filter((r) => r.path === '/v3/apps').length).toBeGreaterThan(5)
    } finally {
      await small.close()
    }
  })
})

describe('single-target scraping', () => {
  it('reaches exactly the instance named, through the router with X-CF-APP-INSTANCE', async () => {
    const guid = guidOf('app1')
    const { status, body } = await get(`/singleTargetMetrics/${guid}/1`)
    expect(status).toBe(200)
    expect(body).toContain('sim_instance_index{app="app1"} 1')
    expect(body).toContain(`sim_requests_total{app="app1",instance_index="1"} ${expectedSampleValues(guid, 1).requests}`)
    expect(body).toMatch(/^promregator_up 1$/m)
    const routed = sim.routerRequests().filter((r) => r.instance === `${guid}:1`).at(-1)!
    expect(routed.appInstanceHeader).toBe(`${guid}:1`)
    expect(routed.host).toBe('app1-dev.apps.sim.localhost')
    // the router strips the header; the instance never sees it
    expect(sim.lastInstanceRequest(guid, 1)?.headers['x-cf-app-instance']).toBeUndefined()
  })

  it('scrapes internal routes at <index>.<host>.<domain>:<port> without the header', async () => {
    const guid = guidOf('internal-app')
    const { body } = await get(`/singleTargetMetrics/${guid}/1`)
    expect(body).toContain('sim_instance_index{app="internal-app"} 1')
    const routed = sim.routerRequests().filter((r) => r.instance === `${guid}:1`).at(-1)!
    expect(routed.host).toBe('1.internal-app.apps.internal:9090')
    expect(routed.appInstanceHeader).toBeNull()
    expect(routed.internal).toBe(true)
  })

  it('takes the preferred route', async () => {
    const guid = guidOf('shop-b', 'prod')
    await get(`/singleTargetMetrics/${guid}/0`)
    expect(sim.routerRequests().filter((r) => r.instance === `${guid}:0`).at(-1)!.host).toBe('shop-b.apps.sim.localhost')
  })

  it('authenticates with the target authenticator', async () => {
    const { body } = await get(`/singleTargetMetrics/${guidOf('secured')}/0`)
    expect(body).toContain('sim_instance_index{app="secured"} 0')
    expect(body).toMatch(/^promregator_up 1$/m)
  })

  it('answers in the format the instance answered in', async () => {
    const om = await get(`/singleTargetMetrics/${guidOf('shop-b', 'prod')}/1`, { accept: 'application/openmetrics-text;version=1.0.0;q=0.6,text/plain;version=0.0.4;q=0.3' })
    expect(om.type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8')
    expect(om.body.endsWith('# EOF\n')).toBe(true)
    expect(om.body.match(/# EOF/g)).toHaveLength(1)
    expect(om.body).toMatch(/^promregator_up 1$/m)
  })

  it('reports a crashed instance as promregator_up 0', async () => {
    const { status, body } = await get(`/singleTargetMetrics/${guidOf('flaky')}/1`)
    expect(status).toBe(200)
    expect(body).toMatch(/^promregator_up 0$/m)
    expect(body).not.toContain('sim_instance_index')
  })

  it('refuses unknown apps and instances with 404 and no outbound request', async () => {
    const before = sim.stats().routerRequests
    expect((await get('/singleTargetMetrics/6f1b2c3d-0000-4000-8000-000000000001/0')).status).toBe(404)
    expect((await get(`/singleTargetMetrics/${guidOf('app1')}/7`)).status).toBe(404)
    expect((await get(`/singleTargetMetrics/${guidOf('stopped')}/0`)).status).toBe(404)
    expect((await get(`/singleTargetMetrics/${guidOf('app1', 'prod')}/0`)).status).toBe(404)
    expect((await get('/singleTargetMetrics/not-a-guid!/0')).status).toBe(400)
    expect(sim.stats().routerRequests).toBe(before)
  })
})

describe('aggregated /metrics', () => {
  it('merges every instance with its labels and one HELP and TYPE per family', async () => {
    const { status, body } = await get('/metrics')
    expect(status).toBe(200)
    const guid = guidOf('app1')
    expect(body).toContain(
      `sim_instance_index{app="app1",org_name="Org1",space_name="dev",app_name="app1",cf_instance_id="${guid}:1",cf_instance_number="1"} 1`,
    )
    for (const family of ['sim_instance_index', 'sim_request_duration_seconds', 'promregator_up']) {
      expect(body.match(new RegExp(`^# TYPE ${family} `, 'gm'))).toHaveLength(1)
      expect(body.match(new RegExp(`^# HELP ${family} `, 'gm'))).toHaveLength(1)
    }
    const up = body.split('\n').filter((l) => l.startsWith('promregator_up{'))
    expect(up).toHaveLength(11)
    expect(up.filter((l) => l.endsWith(' 0'))).toEqual([
      `promregator_up{org_name="Org1",space_name="dev",app_name="flaky",cf_instance_id="${guidOf('flaky')}:1",cf_instance_number="1"} 0`,
    ])
  })

  it('keeps a failing authenticator local to its instances', async () => {
    const p = build(sim, TARGETS.replace('authenticatorId: secured-basic', ''))
    const body = await (await p.app.request('/metrics')).text()
    expect(body).toContain(`promregator_up{org_name="Org1",space_name="dev",app_name="secured",cf_instance_id="${guidOf('secured')}:0",cf_instance_number="0"} 0`)
    expect(body).toContain(`cf_instance_id="${guidOf('app1')}:0",cf_instance_number="0"} 1`)
  })
})
