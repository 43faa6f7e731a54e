/**
 * Selection beyond names: label selectors passed to the API, annotation opt-in with path and
 * port, several foundations in one process, and `/cache/invalidate`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { singleTargetPath } from '../../../src/model/target.ts'
import { oneSpace, startSimulator, type Simulator } from '../../support/simulator/index.ts'
import { build, cfBlock, discovery, get, instancesOf, ownSamples, recordingLogger } from './helpers.ts'

const landscape = (suffix: string) => oneSpace('acme', 'dev', [
  { name: `shop-${suffix}`, instances: 2, routes: [{ host: `shop-${suffix}` }], labels: { 'prometheus-scrape': 'true', team: 'shop' } },
  { name: `billing-${suffix}`, routes: [{ host: `billing-${suffix}` }], labels: { 'prometheus-scrape': 'true', team: 'finance' } },
  { name: `legacy-${suffix}`, routes: [{ host: `legacy-${suffix}` }], labels: { team: 'shop', legacy: 'yes' } },
  {
    name: `annotated-${suffix}`,
    routes: [{ host: `annotated-${suffix}`, domain: 'apps.internal' }],
    internalPort: 9100,
    metricsPath: '/actuator/prometheus',
    annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/actuator/prometheus', 'prometheus.io/port': '9100' },
  },
  { name: `opted-out-${suffix}`, routes: [{ host: `opted-out-${suffix}` }], annotations: { 'prometheus.io/scrape': 'false' } },
  { name: `bad-port-${suffix}`, routes: [{ host: `bad-port-${suffix}` }], annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': 'http' } },
])

let eu: Simulator
let us: Simulator
beforeAll(async () => {
  ;[eu, us] = await Promise.all([startSimulator(landscape('eu')), startSimulator(landscape('us'))])
})
afterAll(async () => {
  await Promise.all([eu?.close(), us?.close()])
})

const appsQueries = (sim: Simulator) => sim.requests().filter((r) => r.path === '/v3/apps').map((r) => decodeURIComponent(r.query))

describe('label selectors', () => {
  it('pass the full selector syntax to the API and select only matching apps', async () => {
    eu.clearLogs()
    const logger = recordingLogger()
    const p = build(
      `${cfBlock(eu)}promregator:
  discovery: { ownMetricsEndpoint: false }
  targets:
    - { orgName: acme, labelSelector: "prometheus-scrape=true,team in (shop,finance)" }
    - { orgName: acme, spaceName: dev, labelSelector: "team=shop,!legacy", applicationRegex: "shop-.*" }
`,
      logger,
    )
    expect(instancesOf(await discovery(p))).toEqual(['billing-eu/0', 'shop-eu/0', 'shop-eu/1'])
    const queries = appsQueries(eu)
    expect(queries).toHaveLength(2)
    expect(queries.some((q) => q.includes('label_selector=prometheus-scrape=true,team in (shop,finance)'))).toBe(true)
    expect(queries.some((q) => q.includes('label_selector=team=shop,!legacy'))).toBe(true)
    // On the wire the selector is encoded once (CC decodes it once; it is not a multi-value filter).
    const raw = eu.requests().filter((r) => r.path === '/v3/apps').map((r) => /(?:^|&)label_selector=([^&]*)/.exec(r.query)?.[1])
    expect(raw.sort()).toEqual(['prometheus-scrape%3Dtrue%2Cteam%20in%20(shop%2Cfinance)', 'team%3Dshop%2C!legacy'])
  })

  it('are sent without the spaces the Cloud Controller refuses, one query for selectors that differ only in spacing', async () => {
    eu.clearLogs()
    const logger = recordingLogger()
    const p = build(
      `${cfBlock(eu)}promregator:
  discovery: { ownMetricsEndpoint: false }
  targets:
    - { orgName: acme, labelSelector: "prometheus-scrape = true, team in (shop, finance)" }
    - { orgName: acme, labelSelector: "prometheus-scrape=true,team in(shop,finance)" }
`,
      logger,
    )
    expect(instancesOf(await discovery(p))).toEqual(['billing-eu/0', 'shop-eu/0', 'shop-eu/1'])
    expect(appsQueries(eu)).toEqual([expect.stringContaining('label_selector=prometheus-scrape=true,team in (shop,finance)')])
    expect(eu.requests().filter((r) => r.status === 400)).toEqual([])
  })
})

describe('annotation opt-in (kubernetesAnnotations)', () => {
  it('keeps only opted-in apps and takes their path and internal-route port from annotations', async () => {
    const logger = recordingLogger()
    const p = build(
      `${cfBlock(eu)}promregator:
  discovery: { ownMetricsEndpoint: false }
  scraping: { proxy: { host: 127.0.0.1, port: ${new URL(eu.proxyUrl).port} }, proxyInternalRoutes: true }
  targets:
    - { orgName: acme, spaceName: dev, kubernetesAnnotations: true, protocol: http }
`,
      logger,
    )
    expect(instancesOf(await discovery(p))).toEqual(['annotated-eu/0', 'bad-port-eu/0'])
    const annotated = p.targets.peek().targets.find((t) => t.display.app === 'annotated-eu')!
    expect(annotated.url).toBe('http://0.annotated-eu.apps.internal:9100/actuator/prometheus')
    expect(logger.lines.some((l) => l.startsWith("warn prometheus.io/port 'http' is not a port number; ignored"))).toBe(true)
    // The annotated path and port are what the instance actually serves: the scrape succeeds.
    const scrape = await get(p, singleTargetPath(annotated))
    expect(scrape.body).toMatch(/^promregator_up 1$/m)
  })
})

describe('several foundations', () => {
  const config = () => `cf:
${cfBlock(eu, '', 'eu')}${cfBlock(us, '', 'us')}promregator:
  discovery: { ownMetricsEndpoint: false }
  scraping: { proxy: { host: 127.0.0.1, port: ${new URL(eu.proxyUrl).port} }, proxyInternalRoutes: true, maxProcessingTime: 2000 }
  targets:
    - { foundation: eu, orgName: acme, applicationRegex: "shop-.*", protocol: http }
    - { foundation: us, orgName: acme, applicationRegex: "(shop|billing)-.*", protocol: http }
`

  it('discovers each foundation with its own API and labels targets with the foundation', async () => {
    const p = build(config(), recordingLogger())
    const groups = await discovery(p)
    expect(instancesOf(groups)).toEqual(['billing-us/0', 'shop-eu/0', 'shop-eu/1', 'shop-us/0', 'shop-us/1'])
    for (const g of groups) expect(g.labels.__meta_promregator_target_foundation).toBe(g.labels.__meta_promregator_target_applicationName!.endsWith('-eu') ? 'eu' : 'us')
    expect(p.targets.peek().targets.every((t) => t.labels.foundation === t.discoveryLabels.__meta_promregator_target_foundation && t.labels.foundation !== undefined)).toBe(true)
    expect(eu.stats().tokenRequests.total).toBeGreaterThan(0)
    expect(us.stats().tokenRequests.total).toBeGreaterThan(0)
    // /metrics labels every sample with the foundation (scrapes go through eu's router only here,
    // so us instances are down, which does not matter for their labels).
    const merged = (await get(p, '/metrics', { accept: 'text/plain;version=0.0.4' })).body
    expect(merged).toMatch(/^promregator_up\{[^}]*app_name="shop-eu"[^}]*foundation="eu"[^}]*\} 1$/m)
    expect(merged).toMatch(/^promregator_up\{[^}]*app_name="billing-us"[^}]*foundation="us"[^}]*\} 0$/m)
  })

  it('keeps a failing foundation at its last picture while the other refreshes', async () => {
    const logger = recordingLogger()
    const p = build(config(), logger)
    await discovery(p)
    us.faults.setUnreachable(true)
    eu.addApp('acme/dev', { name: 'shop-eu-new', routes: [{ host: 'shop-eu-new' }] })
    try {
      await p.targets.invalidate()
    } finally {
      us.faults.setUnreachable(false)
      eu.removeApp('shop-eu-new')
    }
    expect(instancesOf(await discovery(p))).toEqual(['billing-us/0', 'shop-eu-new/0', 'shop-eu/0', 'shop-eu/1', 'shop-us/0', 'shop-us/1'])
    expect(logger.lines.some((l) => l.startsWith('error discovery of a foundation failed; serving its last known targets') && l.includes('"foundation":"us"'))).toBe(true)
    const ages = await ownSamples(p, 'promregator_discovery_foundation_age_seconds{')
    expect(ages.map((l) => l.replace(/ [\d.e-]+$/, ''))).toEqual(['promregator_discovery_foundation_age_seconds{foundation="eu"}', 'promregator_discovery_foundation_age_seconds{foundation="us"}'])
  })

  it('leaves the foundation out of labels when only one is configured', async () => {
    const p = build(`${cfBlock(eu)}promregator:\n  targets: [{ orgName: acme, applicationRegex: "shop-.*" }]\n`, recordingLogger())
    const groups = await discovery(p)
    expect(groups.filter((g) => g.labels.__meta_promregator_target_applicationName).every((g) => !('__meta_promregator_target_foundation' in g.labels))).toBe(true)
    expect(p.targets.peek().targets.every((t) => !('foundation' in t.labels))).toBe(true)
  })
})

describe('GET /cache/invalidate', () => {
  it('answers 204 at once and the next picture holds what changed', async () => {
    const p = build(`${cfBlock(eu)}promregator:\n  targets: [{ orgName: acme, applicationRegex: "shop-.*" }]\n`, recordingLogger())
    expect(instancesOf(await discovery(p))).toEqual(['shop-eu/0', 'shop-eu/1'])
    eu.scaleApp('shop-eu', 3)
    try {
      // Still fresh in every cache class: nothing is read again without an invalidation.
      eu.clearLogs()
      await p.targets.refresh()
      expect(eu.requests().filter((r) => r.server === 'cc')).toEqual([])
      expect(instancesOf(await discovery(p))).toEqual(['shop-eu/0', 'shop-eu/1'])

      const response = await get(p, '/cache/invalidate?process=true')
      expect(response.status).toBe(204)
      await p.targets.refresh() // joins the refresh the request started
      expect(eu.requests().filter((r) => r.server === 'cc').map((r) => r.path)).toEqual(['/v3/processes'])
      expect(instancesOf(await discovery(p))).toEqual(['shop-eu/0', 'shop-eu/1', 'shop-eu/2'])
    } finally {
      eu.scaleApp('shop-eu', 2)
    }
  })
})
