/**
 * Rolling and canary deployments: while one runs, an app has two web processes whose instance
 * indexes overlap (here 2 old + 3 new), both registered under the app's GUID in the router, and
 * `X-CF-APP-INSTANCE` reaches the process the router's table holds last. A router that honours
 * `X-CF-PROCESS-INSTANCE` (the simulator's default, as routing-release 0.332.0 and later) gets
 * every instance of every process addressed with it; one that ignores it (an older router) gets
 * the app reported and not scraped, so no series mixes the instances of two processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Assembled } from '../../../src/assemble.ts'
import { oneSpace, startSimulator, type SimApp, type Simulator } from '../../support/simulator/index.ts'
import { build, cfBlock, get, ownSamples, recordingLogger } from './helpers.ts'

/** Each instance says which process and index it is. */
const canary: SimApp = {
  name: 'canary',
  instances: 2,
  deployment: { instances: 3 },
  routes: [{ host: 'canary' }],
  format: 'text',
  body: (ctx) => `# TYPE sim_process gauge\nsim_process{process="${ctx.processGuid}",index="${ctx.index}"} 1\n`,
}
const landscape = () => oneSpace('acme', 'dev', [canary, { name: 'steady', instances: 1, routes: [{ host: 'steady' }] }])

const config = (sim: Simulator, cfExtra = '') => `${cfBlock(sim, cfExtra)}promregator:
  discovery: { ownMetricsEndpoint: false }
  scraping: { proxy: { host: 127.0.0.1, port: ${new URL(sim.proxyUrl).port} } }
  targets:
    - { orgName: acme, spaceName: dev, protocol: http }
`

/** The web processes of an app as the Cloud Controller lists them, oldest first. */
async function processesOf(sim: Simulator, app: string): Promise<Array<{ guid: string; instances: number }>> {
  const response = await fetch(`${sim.apiUrl}/v3/processes?app_guids=${sim.app(app).guid}&order_by=created_at`, { headers: { authorization: `bearer ${sim.issueToken()}` } })
  return ((await response.json()) as { resources: Array<{ guid: string; instances: number }> }).resources.map(({ guid, instances }) => ({ guid, instances }))
}

const probes = (sim: Simulator) => sim.routerRequests().filter((r) => r.processInstanceHeader?.endsWith(':99999'))

describe('a deployment behind a router that honours X-CF-PROCESS-INSTANCE', () => {
  let sim: Simulator
  let p: Assembled
  beforeAll(async () => {
    sim = await startSimulator(landscape())
    p = build(config(sim), recordingLogger())
    await p.targets.current()
  })
  afterAll(async () => {
    p?.stop()
    await sim?.close()
  })

  it('the Cloud Controller lists both web processes of the app', async () => {
    const processes = await processesOf(sim, 'canary')
    expect(processes.map((x) => x.instances)).toEqual([2, 3])
    expect(processes[0]!.guid).toBe(sim.app('canary').processGuid)
  })

  it('asks the router once, and scrapes all five instances, each addressed by its process', async () => {
    const [old, next] = await processesOf(sim, 'canary')
    const targets = p.targets.peek().targets.filter((t) => t.display.app === 'canary')
    expect(targets.map((t) => t.id)).toEqual([`${old!.guid}:0`, `${old!.guid}:1`, `${next!.guid}:0`, `${next!.guid}:1`, `${next!.guid}:2`])
    expect(targets.map((t) => t.headers)).toEqual(targets.map((t) => ({ 'X-CF-PROCESS-INSTANCE': t.id })))
    expect(probes(sim).map((r) => [r.status, r.instance])).toEqual([[400, null]])
    for (const target of targets) {
      const [guid, index] = target.id.split(':')
      const body = (await get(p, `/singleTargetMetrics/${guid}/${index}`)).body
      // The instance that answered is the one the target names: no mixing of the two processes.
      expect(body).toContain(`sim_process{process="${guid}",index="${index}"} 1`)
    }
    // Apps with one web process keep X-CF-APP-INSTANCE.
    const steady = p.targets.peek().targets.find((t) => t.display.app === 'steady')!
    expect(steady.headers).toEqual({ 'X-CF-APP-INSTANCE': `${sim.app('steady').guid}:0` })
  })

  it('keeps the series of the two processes apart in /metrics', async () => {
    const body = (await get(p, '/metrics', { accept: 'text/plain;version=0.0.4' })).body
    const series = body.split('\n').filter((l) => l.startsWith('sim_process{'))
    expect(series).toHaveLength(5)
    for (const line of series) {
      const [, process, index, instanceId] = /process="([^"]+)",index="(\d+)".*cf_instance_id="([^"]+)"/.exec(line)!
      expect(instanceId).toBe(`${process}:${index}`)
    }
    expect((await get(p, '/', { accept: 'application/json' })).body).toContain('apps in a deployment are scraped process by process')
  })
})

describe('a deployment behind a router that ignores X-CF-PROCESS-INSTANCE', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator(landscape(), { processInstanceHeader: false })
  })
  afterAll(() => sim?.close())

  it('reports the app, visibly, and scrapes none of its instances rather than mixing them', async () => {
    const logger = recordingLogger()
    const p = build(config(sim), logger)
    await p.targets.current()
    expect(p.targets.peek().targets.map((t) => t.display.app)).toEqual(['steady'])
    // The router answered the probe from some instance: it ignored the header.
    expect(probes(sim).map((r) => r.status)).toEqual([200])
    expect(p.targets.peek().problems).toEqual([expect.objectContaining({ app: 'canary', reason: expect.stringContaining('deployment in progress: 2 web processes (2 + 3 instances) share instance indexes') })])
    expect(logger.lines.filter((l) => l.startsWith('warn') && l.includes('deployment in progress'))).toHaveLength(1)
    const page = (await get(p, '/', { accept: 'application/json' })).body
    expect(page).toContain('the router ignores X-CF-PROCESS-INSTANCE')
    expect(await ownSamples(p, 'promregator_discovery_unscraped_apps')).toEqual(['promregator_discovery_unscraped_apps 1'])
    // A second refresh within the hour does not ask again.
    await p.targets.refresh()
    expect(probes(sim)).toHaveLength(1)
    p.stop()
  })

  it('with processInstanceHeader: never, does not ask the router and says why the app is not scraped', async () => {
    const before = probes(sim).length
    const p = build(config(sim, 'processInstanceHeader: never'), recordingLogger())
    await p.targets.current()
    expect(probes(sim)).toHaveLength(before)
    expect(p.targets.peek().problems.map((x) => x.app)).toEqual(['canary'])
    expect((await get(p, '/', { accept: 'application/json' })).body).toContain('cf.processInstanceHeader is never')
    p.stop()
  })
})
