/**
 * Heroku Private Spaces against the simulated Platform API and private DNS: selection by team,
 * space, app (names and regexes) and process type; paging across 206 pages; one topology request
 * per space, and the per-app dynos list where topology is unavailable (with dyno states: only `up`
 * dynos are scraped, the others reported down with their state); the shared request pool (429
 * waited out, `RateLimit-Remaining` below the reserve slowing the refresh); an API outage at start
 * and later; no open proxy.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Assembled } from '../../../src/assemble.ts'
import { startHerokuSimulator, type HerokuLandscape, type HerokuSimOptions, type HerokuSimulator } from '../../support/heroku/index.ts'
import { build, discovery, get, recordingLogger, type Group } from '../cf/helpers.ts'

const landscape = (): HerokuLandscape => ({
  teams: [
    {
      name: 'acme',
      spaces: [
        { name: 'prod', apps: [{ name: 'shop', dynos: ['up', 'up', 'up'] }, { name: 'shop-worker', processType: 'worker', dynos: ['up'] }, { name: 'billing', dynos: ['up', 'crashed'] }] },
        { name: 'staging', topology: false, apps: [{ name: 'shop-staging', dynos: ['up', 'crashed', 'starting'] }] },
        { name: 'edge', generation: 'fir', apps: [{ name: 'shop-fir' }] },
      ],
      apps: [{ name: 'shop-common' }],
    },
    { name: 'other', spaces: [{ name: 'prod-other', apps: [{ name: 'shop', id: undefined, dynos: ['up'] }] }] },
  ],
})

const yaml = (sim: HerokuSimulator, targets: string, heroku = '') => `heroku:
  api_url: ${sim.apiUrl}
  token: ${sim.token}
  request: { backoff: 5 }
${heroku}promregator:
  discovery: { ownMetricsEndpoint: false }
  scraping: { proxy: { host: 127.0.0.1, port: ${new URL(sim.proxyUrl).port} }, proxyInternalRoutes: true, maxProcessingTime: 3000 }
  cache: { invalidate: { minInterval: 0 } }
  targets:
${targets}
`

/** `app/dyno` of every target group of a discovery document, sorted. */
const dynosOf = (groups: Group[]) => groups.map((g) => `${g.labels.__meta_promregator_target_applicationName}/${g.labels.__meta_promregator_target_dynoName}`).sort()

let sim: HerokuSimulator
let p: Assembled | undefined
const start = async (options: HerokuSimOptions = {}) => (sim = await startHerokuSimulator(landscape(), options))
afterEach(async () => {
  p?.stop()
  p = undefined
  await sim?.close()
})

describe('selection', () => {
  it('by team, space and app name, one topology request per space', async () => {
    await start()
    p = build(yaml(sim, '    - { teamName: acme, spaceName: prod, applicationName: shop }'), recordingLogger())
    expect(dynosOf(await discovery(p))).toEqual(['shop/web.1', 'shop/web.2', 'shop/web.3'])
    expect(sim.requests().map((r) => r.path)).toEqual(['/teams/acme/apps', `/spaces/${sim.state.spaces[0]!.id}/topology`])
  })

  it('by regexes over every team, and by process type', async () => {
    await start()
    p = build(yaml(sim, '    - { spaceRegex: "prod.*", applicationRegex: "shop.*" }\n    - { spaceName: prod, applicationName: shop-worker, processType: worker }'), recordingLogger())
    const groups = await discovery(p)
    // shop-worker has no web dynos: the first target selects it and finds none, so it is reported.
    expect(dynosOf(groups)).toEqual(['shop/web.1', 'shop/web.1', 'shop/web.2', 'shop/web.3'])
    expect(p.targets.peek().problems).toContainEqual({ where: 'acme/prod', app: 'shop-worker', reason: 'no web dynos' })
    p.stop()
    p = build(yaml(sim, '    - { applicationName: shop-worker, processType: worker }'), recordingLogger())
    const worker = await discovery(p)
    expect(dynosOf(worker)).toEqual(['shop-worker/worker.1'])
    expect(worker[0]!.labels.__metrics_path__).toMatch(/^\/singleTargetMetrics\/[0-9a-f-]{36}\/worker\.1$/)
  })

  it('reports apps outside a Private Space and Fir-generation apps instead of dropping them', async () => {
    await start()
    const logger = recordingLogger()
    p = build(yaml(sim, '    - { teamName: acme, applicationRegex: "shop-(common|fir)" }'), logger)
    expect(await discovery(p)).toEqual([])
    const problems = p.targets.peek().problems
    expect(problems).toHaveLength(2)
    expect(problems).toEqual(
      expect.arrayContaining([
        { where: 'acme/edge', app: 'shop-fir', reason: expect.stringContaining('Fir-generation app') },
        { where: 'acme/', app: 'shop-common', reason: expect.stringContaining('not in a Private Space') },
      ]),
    )
    expect((await get(p, '/', { accept: 'application/json' })).body).toContain('Fir spaces offer no DNS service discovery')
  })
})

describe('dynos and their states', () => {
  it('falls back to the dynos of each app where topology is unavailable, and scrapes only dynos that are up', async () => {
    await start()
    const logger = recordingLogger()
    p = build(yaml(sim, '    - { spaceName: staging }'), logger)
    const groups = await discovery(p)
    expect(dynosOf(groups)).toEqual(['shop-staging/web.1', 'shop-staging/web.2', 'shop-staging/web.3'])
    const app = sim.state.apps.find((a) => a.name === 'shop-staging')!
    expect(sim.requests().map((r) => [r.path, r.status])).toEqual([['/apps', 200], [`/spaces/${app.space!.id}/topology`, 404], [`/apps/${app.id}/dynos`, 200]])
    expect(logger.lines.some((l) => l.startsWith('warn space topology unavailable'))).toBe(true)
    sim.clearLogs()
    const up = (await get(p, `/singleTargetMetrics/${app.id}/web.1`)).body
    expect(up).toContain('sim_dyno_requests_total{app="shop-staging",dyno="web.1"} 101')
    expect(up).toMatch(/^promregator_up 1$/m)
    for (const [dyno, state] of [['web.2', 'crashed'], ['web.3', 'starting']]) {
      const down = (await get(p, `/singleTargetMetrics/${app.id}/${dyno}`)).body
      expect(down).toMatch(/^promregator_up 0$/m)
      const row = JSON.parse((await get(p, `/?q=${dyno}`, { accept: 'application/json' })).body).rows[0]
      expect(row).toMatchObject({ outcome: 'down', reason: 'instance_down', error: `dyno ${dyno} is ${state}` })
    }
    expect(sim.dynoRequests()).toEqual(['1.web.shop-staging.app.localspace:8080/metrics'])
    // Topology is not asked again within the hour.
    sim.clearLogs()
    await p.targets.refresh()
    expect(sim.requests().map((r) => r.path)).toEqual(['/apps', `/apps/${app.id}/dynos`])
  })

  it('scrapes every dyno at its private name and port, labelled with team, space, app, process type and dyno', async () => {
    await start()
    p = build(yaml(sim, '    - { teamName: acme, spaceName: prod, applicationName: shop, port: 8080, path: /metrics }'), recordingLogger())
    await discovery(p)
    const body = (await get(p, '/metrics', { accept: 'text/plain;version=0.0.4' })).body
    for (const n of [1, 2, 3]) expect(body).toContain(`sim_dyno_requests_total{app="shop",dyno="web.${n}",team_name="acme",space_name="prod",app_name="shop",process_type="web",dyno_name="web.${n}",dyno_number="${n}"} ${100 + n}`)
    expect(sim.dynoRequests().sort()).toEqual([1, 2, 3].map((n) => `${n}.web.shop.app.localspace:8080/metrics`))
  })

  it('answers 404 for a dyno discovery does not know, without an outbound request', async () => {
    await start()
    p = build(yaml(sim, '    - { spaceName: prod, applicationName: shop }'), recordingLogger())
    await discovery(p)
    const app = sim.state.apps.find((a) => a.name === 'shop' && a.team.name === 'acme')!
    sim.clearLogs()
    expect((await get(p, `/singleTargetMetrics/${app.id}/web.9`)).status).toBe(404)
    expect((await get(p, `/singleTargetMetrics/${app.id}/worker.1`)).status).toBe(404)
    expect(sim.dynoRequests()).toEqual([])
  })
})

describe('paging and the shared request pool', () => {
  it('reads a list across several 206 pages', async () => {
    sim = await startHerokuSimulator({ teams: [{ name: 'big', spaces: [{ name: 's', apps: Array.from({ length: 2300 }, (_, i) => ({ name: `app-${String(i).padStart(4, '0')}`, dynos: ['up' as const] })) }] }] })
    p = build(yaml(sim, '    - { teamName: big, applicationRegex: "app-00.." }'), recordingLogger())
    expect(await discovery(p)).toHaveLength(100)
    const lists = sim.requests().filter((r) => r.path === '/teams/big/apps')
    expect(lists.map((r) => [r.status, r.range])).toEqual([
      [206, 'id ..; max=1000'],
      [206, expect.stringMatching(/^id \][0-9a-f-]{36}\.\.; max=1000$/)],
      [200, expect.stringMatching(/^id \][0-9a-f-]{36}\.\.; max=1000$/)],
    ])
  })

  it('waits out an empty pool (429), then discovers', async () => {
    await start({ pool: 0, refillPerMinute: 600 })
    p = build(yaml(sim, '    - { spaceName: prod, applicationName: billing }'), recordingLogger())
    expect(dynosOf(await discovery(p))).toEqual(['billing/web.1'])
    expect(sim.requests()[0]).toMatchObject({ path: '/apps', status: 429 })
  })

  it('refreshes at a quarter of the pace while RateLimit-Remaining is below the reserve', async () => {
    await start({ pool: 500, refillPerMinute: 0 })
    p = build(yaml(sim, '    - { spaceName: prod, applicationName: billing }'), recordingLogger())
    await discovery(p)
    const asked = () => sim.requests().filter((r) => r.path === '/apps').length
    expect(asked()).toBe(1)
    for (let i = 0; i < 3; i++) await p.targets.refresh()
    expect(asked()).toBe(1) // three refreshes served from the last picture
    await p.targets.refresh()
    expect(asked()).toBe(2)
    expect((await get(p, '/', { accept: 'application/json' })).body).toContain('refreshing at a quarter of the pace')
  })
})

describe('an API outage', () => {
  let outage: HerokuSimulator
  beforeAll(async () => {
    outage = await startHerokuSimulator(landscape())
  })
  afterAll(() => outage.close())

  it('at start: no targets yet, the error shown; later: the last targets are served', async () => {
    outage.setUnavailable(true)
    const app = build(yaml(outage, '    - { spaceName: prod, applicationName: billing }'), recordingLogger())
    expect(await discovery(app)).toEqual([])
    expect((await get(app, '/', { accept: 'application/json' })).body).toContain('503 service_unavailable')
    outage.setUnavailable(false)
    await app.targets.refresh()
    expect(dynosOf(await discovery(app))).toEqual(['billing/web.1'])
    outage.setUnavailable(true)
    await app.targets.refresh()
    expect(dynosOf(await discovery(app))).toEqual(['billing/web.1'])
    expect(app.targets.status().lastError).toContain('service_unavailable')
    app.stop()
  })
})
