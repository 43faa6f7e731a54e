/**
 * Discovery against a sick Cloud Controller, through the assembled pipeline: API down at start
 * and later, 5xx bursts, 429 with Retry-After, tokens expiring mid-run or renewed before
 * expiry, the first requests arriving together, and a scrape during a slow refresh.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Assembled } from '../../../src/assemble.ts'
import { oneSpace, startSimulator, type SimOptions, type Simulator } from '../../support/simulator/index.ts'
import { build, cfBlock, discovery, eventually, get, instancesOf, ownSamples, recordingLogger } from './helpers.ts'

const landscape = oneSpace('acme', 'dev', [{ name: 'web', instances: 2, routes: [{ host: 'web' }] }, { name: 'api', routes: [{ host: 'api' }] }], {
  clients: [
    { id: 'promregator', secret: 'cl1ent-s3cret' },
    // A generated secret with the characters UAA's URL-decoding of Basic credentials changes.
    { id: 'prom+etheus', secret: 'a+b%2F:c/d e%' },
  ],
})
const ALL = ['api/0', 'web/0', 'web/1']

let sim: Simulator
let logger: ReturnType<typeof recordingLogger>

async function start(options: SimOptions = {}) {
  sim = await startSimulator(landscape, options)
}
beforeEach(() => {
  logger = recordingLogger()
})
afterEach(async () => {
  await sim?.close()
})

function pipeline(cfExtra = '', promregatorExtra = ''): Assembled {
  return build(
    `${cfBlock(sim, cfExtra)}promregator:
  discovery: { ownMetricsEndpoint: true }
  scraping:
    proxy: { host: 127.0.0.1, port: ${new URL(sim.proxyUrl).port} }
${promregatorExtra}  targets:
    - { orgName: acme, spaceName: dev, protocol: http }
`,
    logger,
  )
}

const ccRequests = (path: string) => sim.requests().filter((r) => r.server === 'cc' && r.path === path)

describe('Cloud Controller down at start', () => {
  it('serves [] plus the own-metrics target, says why, and keeps retrying until the API is back', async () => {
    await start()
    sim.faults.setUnreachable(true)
    const p = pipeline('cache: { timeout: { org: 0.2, space: 0.2, domain: 0.2, application: 0.2, route: 0.2, process: 0.2, resolver: 0.2 } }')
    const groups = await discovery(p)
    expect(groups).toEqual([{ targets: ['promregator.test:8080'], labels: { __meta_promregator_target_path: '/promregatorMetrics', __metrics_path__: '/promregatorMetrics' } }])
    expect(logger.lines.some((l) => l.startsWith('error discovery failed; serving no targets until it succeeds') && l.includes('/: '))).toBe(true)
    expect((await get(p, '/-/ready')).status).toBe(503)

    const stop = p.startDiscovery()
    try {
      sim.faults.setUnreachable(false)
      await eventually(async () => instancesOf(await discovery(p)).length === 3, 'discovery after the API came back')
    } finally {
      stop()
    }
    expect(instancesOf(await discovery(p))).toEqual(ALL)
    expect((await get(p, '/-/ready')).status).toBe(200)
  })
})

describe('Cloud Controller down later', () => {
  it('keeps serving the last known targets and shows their age', async () => {
    await start()
    const p = pipeline()
    expect(instancesOf(await discovery(p))).toEqual(ALL)
    sim.faults.setUnreachable(true)
    await p.targets.invalidate()
    expect(p.targets.status().lastError).toMatch(/socket|ECONNRESET|fetch failed|other side closed/i)
    expect(instancesOf(await discovery(p))).toEqual(ALL)
    expect(logger.lines.some((l) => l.startsWith('error discovery failed; serving the last known targets'))).toBe(true)
    expect(await ownSamples(p, 'promregator_discovery_age_seconds ')).toHaveLength(1)
    expect(await ownSamples(p, 'promregator_discovery_refreshes_total{outcome="failure"}')).toEqual(['promregator_discovery_refreshes_total{outcome="failure"} 1'])
    expect((await ownSamples(p, 'promregator_cf_requests_total{endpoint="/v3/organizations",status="error"}'))[0]).toMatch(/ 3$/)
  })
})

describe('5xx bursts', () => {
  it('retries with backoff through a short burst and counts the failures', async () => {
    await start()
    sim.faults.failNext(2, { pathPrefix: '/v3/apps', status: 503 })
    const p = pipeline()
    expect(instancesOf(await discovery(p))).toEqual(ALL)
    expect(ccRequests('/v3/apps').map((r) => r.status)).toEqual([503, 503, 200])
    expect(await ownSamples(p, 'promregator_cf_requests_total{endpoint="/v3/apps",status="503"}')).toEqual(['promregator_cf_requests_total{endpoint="/v3/apps",status="503"} 2'])
  })

  it('gives up after the configured retries and keeps the last picture', async () => {
    await start()
    const p = pipeline('request: { backoff: 10, retries: 1 }')
    expect(instancesOf(await discovery(p))).toEqual(ALL)
    sim.faults.failNext(5, { pathPrefix: '/v3/organizations', status: 502 })
    await p.targets.invalidate()
    expect(p.targets.status().lastError).toMatch(/\/v3\/organizations: HTTP 502/)
    expect(ccRequests('/v3/organizations').map((r) => r.status)).toEqual([200, 502, 502])
    expect(instancesOf(await discovery(p))).toEqual(ALL)
  })
})

describe('429 Too Many Requests', () => {
  it('waits for Retry-After, then succeeds', async () => {
    await start()
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 1, pathPrefix: '/v3/spaces' })
    const p = pipeline()
    expect(instancesOf(await discovery(p))).toEqual(ALL)
    const [limited, retried] = ccRequests('/v3/spaces')
    expect([limited?.status, retried?.status]).toEqual([429, 200])
    // The retry went out no earlier than Retry-After allowed (allowing for the clock's granularity).
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(950)
    expect(p.targets.status().lastError).toBeUndefined()
  })
})

describe('UAA tokens', () => {
  it('re-logs in once when every token expired mid-run, and no discovery fails', async () => {
    await start()
    const p = pipeline()
    expect(instancesOf(await discovery(p))).toEqual(ALL)
    expect(sim.stats().tokenRequests).toMatchObject({ total: 1, password: 1 })
    sim.faults.expireAllTokens()
    await p.targets.invalidate()
    expect(p.targets.status().lastError).toBeUndefined()
    expect(sim.stats().tokenRequests).toMatchObject({ total: 2, password: 1, refresh_token: 1 })
    expect(sim.requests().filter((r) => r.server === 'cc' && r.status === 401)).toHaveLength(1)
    expect(await ownSamples(p, 'promregator_cf_token_requests_total')).toEqual([
      'promregator_cf_token_requests_total{grant="password",outcome="ok"} 1',
      'promregator_cf_token_requests_total{grant="refresh_token",outcome="ok"} 1',
    ])
    expect(await ownSamples(p, 'promregator_discovery_refreshes_total')).toEqual(['promregator_discovery_refreshes_total{outcome="success"} 2'])
  })

  it('renews a token before it expires, so the Cloud Controller never sees an expired one', async () => {
    await start({ tokenLifetimeSeconds: 2 })
    const p = pipeline()
    await discovery(p)
    // Renewal is due after half the lifetime (the margin is min(60 s, lifetime / 2)).
    await new Promise((r) => setTimeout(r, 1200))
    await p.targets.invalidate()
    expect(p.targets.status().lastError).toBeUndefined()
    expect(sim.stats().tokenRequests).toMatchObject({ password: 1, refresh_token: 1 })
    expect(sim.requests().filter((r) => r.status === 401)).toEqual([])
  })

  it('logs in with the client-credentials grant when client_id is set', async () => {
    await start()
    const p = build(
      `cf:
  api_host: ${sim.apiUrl}
  client_id: promregator
  client_secret: cl1ent-s3cret
promregator:
  targets: [{ orgName: acme, spaceName: dev }]
`,
      logger,
    )
    expect(instancesOf(await discovery(p))).toEqual(ALL)
    expect(sim.stats().tokenRequests).toMatchObject({ total: 1, client_credentials: 1 })
  })

  it('logs in with a client id and secret holding +, %, : and /, which UAA URL-decodes', async () => {
    await start()
    const p = build(
      `cf:
  api_host: ${sim.apiUrl}
  client_id: "prom+etheus"
  client_secret: "a+b%2F:c/d e%"
promregator:
  targets: [{ orgName: acme, spaceName: dev }]
`,
      logger,
    )
    expect(instancesOf(await discovery(p))).toEqual(ALL)
    expect(sim.stats().tokenRequests).toMatchObject({ total: 1, client_credentials: 1 })
    expect(sim.requests().filter((r) => r.status === 401)).toEqual([])
  })

  it('makes one token request and one discovery for many concurrent first requests', async () => {
    await start({ latencyMs: 20 })
    const p = pipeline()
    const responses = await Promise.all([
      ...Array.from({ length: 8 }, () => get(p, '/discovery')),
      ...Array.from({ length: 4 }, () => get(p, '/singleTargetMetrics/00000000-0000-4000-8000-000000000000/0')),
    ])
    expect(responses.slice(0, 8).map((r) => instancesOf(JSON.parse(r.body)))).toEqual(Array.from({ length: 8 }, () => ALL))
    expect(responses.slice(8).map((r) => r.status)).toEqual([404, 404, 404, 404])
    expect(sim.stats().tokenRequests.total).toBe(1)
    expect(ccRequests('/').length).toBe(1)
    expect(ccRequests('/v3/apps').length).toBe(1)
  })
})

describe('a scrape during a slow refresh', () => {
  it('is answered from the current picture without waiting for the refresh', async () => {
    await start()
    const p = pipeline()
    await discovery(p)
    const web = sim.app('web').guid
    sim.faults.latencyMs = 800
    const refreshing = p.targets.invalidate()
    expect(p.targets.status().refreshing).toBe(true)
    const scrape = await get(p, `/singleTargetMetrics/${web}/1`)
    const groups = await discovery(p)
    // Both answered while the refresh (at least four sequential 0.8 s API calls) still runs.
    expect(p.targets.status().refreshing).toBe(true)
    expect(scrape.status).toBe(200)
    expect(scrape.body).toMatch(/^promregator_up 1$/m)
    expect(sim.lastInstanceRequest('web', 1)).toBeDefined()
    expect(instancesOf(groups)).toEqual(ALL)
    await refreshing
    expect(p.targets.status().lastError).toBeUndefined()
  })
})
