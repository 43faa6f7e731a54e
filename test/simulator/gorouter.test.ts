/**
 * @module test/simulator/gorouter
 * The simulated gorouter over real sockets: absolute-form proxy requests, CONNECT tunnels via
 * undici's ProxyAgent, Host-header routing, X-CF-APP-INSTANCE rules and exact error bodies,
 * internal routes, instance auth/format/path, and landscape mutations.
 */
import { fetch as undiciFetch, ProxyAgent } from 'undici'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { expectedSampleValues, OPENMETRICS_CONTENT_TYPE, startSimulator, TEXT_CONTENT_TYPE, type Simulator } from '../support/simulator/index.ts'
import { GUIDS, testLandscape } from './fixtures.ts'
import { portOf, rawRequest } from './helpers.ts'

let sim: Simulator
let proxyPort: number
let agent: ProxyAgent

beforeAll(async () => {
  sim = await startSimulator(testLandscape(), { randomSeed: 42 })
  proxyPort = portOf(sim.proxyUrl)
  agent = new ProxyAgent(sim.proxyUrl)
})
afterAll(async () => {
  await agent.close()
  await sim.close()
})
beforeEach(() => sim.clearLogs())

const viaProxy = (url: string, headers: Record<string, string> = {}) => rawRequest(proxyPort, url, headers)
const instanceHeader = (guid: string, index: number) => ({ 'X-CF-APP-INSTANCE': `${guid}:${index}` })

describe('three ways in', () => {
  it('routes an absolute-form proxy request to the addressed instance', async () => {
    const res = await viaProxy('http://shop.apps.sim.localhost/metrics', instanceHeader(GUIDS.shop, 2))
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe(TEXT_CONTENT_TYPE)
    expect(res.body).toContain('sim_instance_index{app="shop"} 2\n')
    expect(res.body).toContain(`sim_requests_total{app="shop",instance_index="2"} ${expectedSampleValues(GUIDS.shop, 2).requests}\n`)
    expect(sim.routerRequests()).toEqual([
      expect.objectContaining({ via: 'absolute', host: 'shop.apps.sim.localhost', path: '/metrics', appInstanceHeader: `${GUIDS.shop}:2`, instance: `${GUIDS.shop}:2`, status: 200 }),
    ])
  })

  it('reads the first of repeated X-CF-APP-INSTANCE headers, as the gorouter does', async () => {
    const repeated = { 'X-CF-APP-INSTANCE': [`${GUIDS.shop}:2`, `${GUIDS.shop}:0`] } as unknown as Record<string, string>
    const res = await viaProxy('http://shop.apps.sim.localhost/metrics', repeated)
    expect(res.status, res.body).toBe(200)
    expect(res.body).toContain('sim_instance_index{app="shop"} 2\n')
    expect(sim.routerRequests()).toEqual([expect.objectContaining({ appInstanceHeader: `${GUIDS.shop}:2`, instance: `${GUIDS.shop}:2` })])
  })

  it('removes X-CF-APP-INSTANCE before the instance sees the request', async () => {
    await viaProxy('http://shop.apps.sim.localhost/metrics', { ...instanceHeader(GUIDS.shop, 0), 'X-Custom': 'kept' })
    const seen = sim.lastInstanceRequest('shop', 0)
    expect(seen?.headers).not.toHaveProperty('x-cf-app-instance')
    expect(seen?.headers['x-custom']).toBe('kept')
  })

  it('routes requests inside a CONNECT tunnel (undici ProxyAgent) by their Host header', async () => {
    const res = await undiciFetch('http://worker.apps.sim.localhost/metrics', { dispatcher: agent, headers: instanceHeader(GUIDS.worker, 1) })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('sim_instance_index{app="worker"} 1')
    expect(sim.routerRequests()).toEqual([expect.objectContaining({ via: 'connect', instance: `${GUIDS.worker}:1` })])
    expect(sim.stats().connectTunnels).toBeGreaterThanOrEqual(1)
  })

  it('routes plain requests by Host header', async () => {
    const res = await rawRequest(proxyPort, '/metrics', { Host: 'shop.apps.sim.localhost', ...instanceHeader(GUIDS.shop, 0) })
    expect(res.status).toBe(200)
    expect(sim.routerRequests()[0]).toMatchObject({ via: 'host', instance: `${GUIDS.shop}:0` })
  })

  it('passes requests for the simulator CC through', async () => {
    const res = await viaProxy(`${sim.apiUrl}/v3/info`)
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body).links.self.href).toBe(`${sim.apiUrl}/v3/info`)
  })
})

describe('gorouter errors', () => {
  it('answers 400 unknown_route for a crashed instance, with the exact body', async () => {
    const res = await viaProxy('http://shop.apps.sim.localhost/metrics', instanceHeader(GUIDS.shop, 1))
    expect(res.status).toBe(400)
    expect(res.headers['x-cf-routererror']).toBe('unknown_route')
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(res.body).toBe(`400 Bad Request: Requested instance ('1') with guid ('${GUIDS.shop}') does not exist for route ('shop.apps.sim.localhost')\n`)
    expect(sim.stats().instanceHits).toBe(0)
  })

  it('answers 400 unknown_route for an index beyond the instances and for an app not on the route', async () => {
    expect((await viaProxy('http://shop.apps.sim.localhost/metrics', instanceHeader(GUIDS.shop, 3))).status).toBe(400)
    const other = await viaProxy('http://shop.apps.sim.localhost/metrics', instanceHeader(GUIDS.billing, 0))
    expect(other.headers['x-cf-routererror']).toBe('unknown_route')
  })

  it.each([['AAAAAAAA-1111-4111-8111-111111111111:0'], [`${GUIDS.shop}: 0`], [`${GUIDS.shop}`], ['nonsense']])('answers 400 invalid_cf_app_instance_header for %s', async (value) => {
    const res = await viaProxy('http://shop.apps.sim.localhost/metrics', { 'X-CF-APP-INSTANCE': value })
    expect(res.status).toBe(400)
    expect(res.headers['x-cf-routererror']).toBe('invalid_cf_app_instance_header')
    expect(res.body).toBe('400 Bad Request: Invalid X-CF-App-Instance Header\n')
  })

  it('answers 404 unknown_route for an unknown route without header', async () => {
    const res = await viaProxy('http://nope.apps.sim.localhost/metrics')
    expect(res.status).toBe(404)
    expect(res.headers['x-cf-routererror']).toBe('unknown_route')
    expect(res.body).toBe("404 Not Found: Requested route ('nope.apps.sim.localhost') does not exist.\n")
  })

  it('does not route a STOPPED app', async () => {
    expect((await viaProxy('http://stopped.apps.sim.localhost/metrics')).status).toBe(404)
    const res = await viaProxy('http://stopped.apps.sim.localhost/metrics', instanceHeader(GUIDS.stopped, 0))
    expect(res.status).toBe(400)
    expect(res.headers['x-cf-routererror']).toBe('unknown_route')
    expect(sim.stats().instanceHits).toBe(0)
  })
})

describe('load balancing and paths', () => {
  it('spreads header-less requests over running instances only', async () => {
    const seen = new Set<string>()
    for (let i = 0; i < 30; i++) {
      const res = await viaProxy('http://shop.apps.sim.localhost/metrics')
      seen.add(/sim_instance_index\{app="shop"\} (\d+)/.exec(res.body)?.[1] ?? '?')
    }
    expect([...seen].sort()).toEqual(['0', '2'])
  })

  it('matches the longest route path and forwards the full path', async () => {
    await viaProxy('http://api.apps.sim.localhost/metrics')
    const worker = await viaProxy('http://api.apps.sim.localhost/worker/metrics')
    expect(worker.status).toBe(404)
    expect(sim.routerRequests().map((r) => r.instance)).toEqual([`${GUIDS.billing}:0`, expect.stringMatching(new RegExp(`^${GUIDS.worker}:`))])
  })
})

describe('internal routes', () => {
  it('serves <index>.<host>.<internal domain>:<port> directly, header not needed', async () => {
    const res = await viaProxy('http://1.internal.apps.internal:9090/metrics')
    expect(res.status).toBe(200)
    expect(res.body).toContain('sim_instance_index{app="internal"} 1')
    expect(sim.routerRequests()[0]).toMatchObject({ internal: true, instance: `${GUIDS.internal}:1` })
  })

  it('serves <host>.<internal domain> from any instance', async () => {
    expect((await viaProxy('http://internal.apps.internal:9090/metrics')).status).toBe(200)
  })

  it('serves internal hosts through a CONNECT tunnel', async () => {
    const res = await undiciFetch('http://0.internal.apps.internal:9090/metrics', { dispatcher: agent })
    expect(await res.text()).toContain('sim_instance_index{app="internal"} 0')
  })

  it.each([['http://1.internal.apps.internal:8080/metrics'], ['http://7.internal.apps.internal:9090/metrics'], ['http://0.unknown.apps.internal:9090/metrics']])(
    'refuses %s by destroying the socket',
    async (url) => {
      await expect(viaProxy(url)).rejects.toThrow(/socket hang up|ECONNRESET/)
      await expect(undiciFetch(url, { dispatcher: agent })).rejects.toThrow()
      expect(sim.stats().instanceHits).toBe(0)
    },
  )
})

describe('instances', () => {
  it('demands basic auth and serves only its metrics path', async () => {
    const url = 'http://secured.apps.sim.localhost/prometheus'
    const anonymous = await viaProxy(url)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic /)
    const auth = { Authorization: `Basic ${Buffer.from('metrics:metrics-secret').toString('base64')}` }
    expect((await viaProxy(url, { Authorization: 'Basic d3Jvbmc6d3Jvbmc=' })).status).toBe(401)
    expect((await viaProxy(url, auth)).status).toBe(200)
    expect((await viaProxy('http://secured.apps.sim.localhost/metrics', auth)).status).toBe(404)
  })

  it('demands a bearer token and answers OpenMetrics after its delay', async () => {
    const url = 'http://bearer.apps.sim.localhost/metrics'
    expect((await viaProxy(url)).status).toBe(401)
    const started = Date.now()
    const res = await viaProxy(url, { Authorization: 'Bearer sekrit' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
    expect(res.headers['content-type']).toBe(OPENMETRICS_CONTENT_TYPE)
    expect(res.body).toContain('# TYPE sim_requests counter\n')
    expect(res.body.endsWith('# EOF\n')).toBe(true)
  })

  it('negotiates OpenMetrics from the Prometheus Accept header', async () => {
    const accept = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
    const res = await viaProxy('http://shop.apps.sim.localhost/metrics', { Accept: accept, ...instanceHeader(GUIDS.shop, 0) })
    expect(res.headers['content-type']).toBe(OPENMETRICS_CONTENT_TYPE)
    const text = await viaProxy('http://shop.apps.sim.localhost/metrics', { Accept: 'text/plain;version=0.0.4', ...instanceHeader(GUIDS.shop, 0) })
    expect(text.headers['content-type']).toBe(TEXT_CONTENT_TYPE)
    expect(text.body).toContain('# TYPE sim_requests_total counter\n')
  })

  it('counts hits per instance', async () => {
    await viaProxy('http://shop.apps.sim.localhost/metrics', instanceHeader(GUIDS.shop, 0))
    await viaProxy('http://shop.apps.sim.localhost/metrics', instanceHeader(GUIDS.shop, 0))
    expect(sim.stats().hitsByInstance).toEqual({ [`${GUIDS.shop}:0`]: 2 })
  })
})

describe('landscape mutations', () => {
  let mutable: Simulator
  let port: number
  beforeAll(async () => {
    mutable = await startSimulator(testLandscape())
    port = portOf(mutable.proxyUrl)
  })
  afterAll(() => mutable.close())
  const get = (url: string, headers: Record<string, string> = {}) => rawRequest(port, url, headers)

  it('scales an app and changes instance states', async () => {
    expect((await get('http://shop.apps.sim.localhost/metrics', instanceHeader(GUIDS.shop, 3))).status).toBe(400)
    mutable.scaleApp('shop', 4)
    expect((await get('http://shop.apps.sim.localhost/metrics', instanceHeader(GUIDS.shop, 3))).status).toBe(200)
    mutable.setInstanceState('shop', 1, 'RUNNING')
    expect((await get('http://shop.apps.sim.localhost/metrics', instanceHeader(GUIDS.shop, 1))).status).toBe(200)
    mutable.setInstanceState(GUIDS.shop, 1, 'STARTING')
    expect(mutable.app('shop').instanceStates).toEqual(['RUNNING', 'STARTING', 'RUNNING', 'RUNNING'])
  })

  it('stops and starts an app', async () => {
    mutable.stopApp('worker')
    expect((await get('http://worker.apps.sim.localhost/metrics')).status).toBe(404)
    expect(mutable.app('worker').instanceStates).toEqual(['DOWN', 'DOWN'])
    mutable.startApp('worker')
    expect((await get('http://worker.apps.sim.localhost/metrics')).status).toBe(200)
  })

  it('adds and removes an app', async () => {
    const added = mutable.addApp('Alpha/dev', { name: 'newcomer', instances: 2, routes: [{ host: 'newcomer' }] })
    expect(added.guid).toMatch(/^[\da-f]{8}-([\da-f]{4}-){3}[\da-f]{12}$/)
    expect((await get('http://newcomer.apps.sim.localhost/metrics', instanceHeader(added.guid, 1))).status).toBe(200)
    mutable.removeApp('newcomer')
    expect((await get('http://newcomer.apps.sim.localhost/metrics')).status).toBe(404)
  })
})

describe('X-CF-PROCESS-INSTANCE (routing-release 0.332.0 and later)', () => {
  const processHeader = (value: string) => ({ 'X-CF-PROCESS-INSTANCE': value })

  it('addresses one instance of a process, or any instance of it without an index, and removes the header', async () => {
    const process = sim.app('shop').processGuid
    const one = await viaProxy('http://shop.apps.sim.localhost/metrics', processHeader(`${process}:2`))
    expect(one.status).toBe(200)
    expect(one.body).toContain('sim_instance_index{app="shop"} 2\n')
    expect(sim.lastInstanceRequest('shop', 2)?.headers['x-cf-process-instance']).toBeUndefined()
    expect((await viaProxy('http://shop.apps.sim.localhost/metrics', processHeader(process))).status).toBe(200)
  })

  it('answers 400 for a malformed header or an instance the process does not have; the app header wins over it', async () => {
    const process = sim.app('shop').processGuid
    const bad = await viaProxy('http://shop.apps.sim.localhost/metrics', processHeader(`${process.toUpperCase()}:1`))
    expect([bad.status, bad.headers['x-cf-routererror'], bad.body]).toEqual([400, 'invalid_cf_process_instance_header', '400 Bad Request: Invalid X-CF-Process-Instance Header\n'])
    const missing = await viaProxy('http://shop.apps.sim.localhost/metrics', processHeader(`${process}:99`))
    expect([missing.status, missing.headers['x-cf-routererror']]).toEqual([400, 'unknown_route'])
    const both = await viaProxy('http://shop.apps.sim.localhost/metrics', { ...processHeader(`${process}:99`), ...instanceHeader(GUIDS.shop, 2) })
    expect(both.status).toBe(200)
    expect(both.body).toContain('sim_instance_index{app="shop"} 2\n')
  })

  it('is ignored by an older router, which answers from some instance', async () => {
    const old = await startSimulator(testLandscape(), { randomSeed: 1, processInstanceHeader: false })
    try {
      const res = await rawRequest(portOf(old.proxyUrl), 'http://shop.apps.sim.localhost/metrics', processHeader(`${old.app('shop').processGuid}:99`))
      expect(res.status).toBe(200)
    } finally {
      await old.close()
    }
  })
})
