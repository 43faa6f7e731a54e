/**
 * The two proxies and the loop guard through the assembled pipeline: `cf.proxy` carries Cloud
 * Controller and UAA traffic and nothing else, `promregator.scraping.proxy` carries the scrapes
 * and nothing else, and a scrape that comes back to this Promregator is refused and named a loop.
 */
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Assembled } from '../../src/assemble.ts'
import { silentLogger } from '../../src/log.ts'
import { startForwardProxy, type ForwardProxy } from '../support/forward-proxy.ts'
import { proxyAwareFetch } from '../support/proxy-fetch.ts'
import { cfYaml } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { assembleFromYaml, collectingLogger, get, upByInstance } from './pipeline-support.ts'

let sim: Simulator
let cfProxy: ForwardProxy

/** `cf:` for the simulator, through a forward proxy when one is given. */
const cfBlock = (proxy?: { host: string; port: number }) => cfYaml(sim, proxy ? `  proxy: { host: "${proxy.host}", port: ${proxy.port} }` : '')

beforeAll(async () => {
  sim = await startSimulator(oneSpace('org', 'dev', [{ name: 'healthy', instances: 2, routes: [{ host: 'healthy' }] }]))
  cfProxy = await startForwardProxy()
})
afterAll(async () => {
  await cfProxy?.close()
  await sim?.close()
})

describe('proxies', () => {
  let pipeline: Assembled
  beforeAll(() => {
    const router = new URL(sim.proxyUrl)
    pipeline = assembleFromYaml(
      `
${cfBlock({ host: '127.0.0.1', port: cfProxy.port })}promregator:
  scraping: { proxy: { host: ${router.hostname}, port: ${router.port} } }
  targets: [{ orgName: org, spaceName: dev, applicationName: healthy, protocol: http }]
`,
      { fetch: proxyAwareFetch, logger: silentLogger },
    )
  })

  it('sends Cloud Controller and UAA traffic through cf.proxy, and scrapes through the scraping proxy', async () => {
    const up = upByInstance((await get(pipeline, '/metrics')).body)
    expect(up).toEqual({ 'healthy/0': 1, 'healthy/1': 1 })

    const api = new URL(sim.apiUrl).host
    const uaa = new URL(sim.uaaUrl).host
    expect(new Set(cfProxy.seen)).toEqual(new Set([api, uaa]))
    expect(sim.requests().length).toBeGreaterThan(0)

    const routed = sim.routerRequests()
    expect(routed.filter((r) => r.host === api || r.host === uaa)).toEqual([]) // CC traffic never took the scraping proxy
    const scrapes = routed.filter((r) => r.host.startsWith('healthy.'))
    expect(scrapes).toHaveLength(2)
    for (const scrape of scrapes) expect(scrape).toMatchObject({ via: 'connect', status: 200 })
  })

  it('depends on cf.proxy: with the proxy down, discovery fails and the Cloud Controller sees nothing', async () => {
    const dead = await startForwardProxy()
    await dead.close()
    const before = sim.requests().length
    const broken = assembleFromYaml(
      `
${cfBlock({ host: '127.0.0.1', port: dead.port })}promregator:
  targets: [{ orgName: org, spaceName: dev, applicationName: healthy, protocol: http }]
`,
      { fetch: proxyAwareFetch, logger: silentLogger },
    )
    const ready = await get(broken, '/-/ready')
    await broken.targets.current().catch(() => undefined)
    expect(ready.status).toBe(503)
    expect((await get(broken, '/-/ready')).status).toBe(503)
    expect(sim.requests().length).toBe(before)
    broken.stop()
  })
})

describe('loop protection', () => {
  let pipeline: Assembled | undefined
  let server: ServerType
  let port: number
  const logger = collectingLogger()

  beforeAll(async () => {
    // The port must be known before the configuration that points a target back at us.
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: (request) => pipeline!.app.fetch(request), port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    port = (server.address() as AddressInfo).port
    pipeline = assembleFromYaml(
      `
${cfBlock()}promregator:
  targets: [{ orgName: org, spaceName: dev, applicationName: healthy, protocol: http, overrideRouteAndPath: "127.0.0.1:${port}" }]
`,
      { fetch: proxyAwareFetch, logger, instanceId: 'loop-test-instance' },
    )
  })
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
  })

  it('refuses a request that carries our own instance id, and serves one with another id', async () => {
    expect((await get(pipeline!, '/-/healthy', { 'x-promregator-instance': 'loop-test-instance' })).status).toBe(508)
    expect((await get(pipeline!, '/-/healthy', { 'x-promregator-instance': 'some-other-promregator' })).status).toBe(200)
  })

  it('turns a target that leads back to this Promregator into promregator_up 0 with reason loop', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { accept: 'text/plain;version=0.0.4' } })
    expect(response.status).toBe(200)
    const up = upByInstance(await response.text())
    expect(up).toEqual({ 'healthy/0': 0, 'healthy/1': 0 })
    const refused = logger.lines.filter((l) => l.msg.includes('loop') && l.level === 'error' && l.fields.path === '/metrics')
    expect(refused.length).toBe(2) // each inner request was refused, not served (no recursion)
    const failed = logger.lines.filter((l) => l.msg === 'scrape failed')
    expect(failed.map((l) => l.fields.reason)).toEqual(['loop', 'loop'])
  })
})
