/**
 * Every failure kind through the assembled pipeline: one `/metrics` response where exactly the
 * broken instance is `promregator_up 0`, every other instance is 1, the failure is counted under
 * its own `reason` in `promregator_scrape_errors_total`, and logged once at its level.
 *
 * Two landscapes, because failures live in two places: behind the gorouter (the simulator as the
 * scraping proxy: gone instances, app auth, wrong path, slow and huge instances) and on direct
 * connections (targets with `overrideRouteAndPath`, no proxy: DNS, refused, TLS, 403, content type).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Assembled } from '../../src/assemble.ts'
import type { Level } from '../../src/log.ts'
import { generatePki, pkiUnavailable } from '../support/certificates.ts'
import { freePort } from '../support/e2e.ts'
import { proxyAwareFetch } from '../support/proxy-fetch.ts'
import { cfYaml, simConfig } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { assembleFromYaml, collectingLogger, get, sampleValue, upByInstance, type LogLine } from './pipeline-support.ts'
import { METRICS_BODY, startServer, TEXT_TYPE, type TestServer } from './servers.ts'

interface Observed {
  pipeline: Assembled
  up: Record<string, number>
  own: string
  logs: LogLine[]
}

/** Scrapes `/metrics` once and reads what the failure tests need. */
async function observe(pipeline: Assembled, logs: LogLine[]): Promise<Observed> {
  const metrics = await get(pipeline, '/metrics')
  expect(metrics.status).toBe(200)
  const own = await get(pipeline, '/promregatorMetrics', { accept: 'text/plain;version=0.0.4' })
  return { pipeline, up: upByInstance(metrics.body), own: own.body, logs }
}

/** The checks of one failure kind: only `instance` is down, with `reason`, counted and logged at `level`. */
function expectOnlyDown(observed: Observed, instance: string, reason: string, level: Level) {
  const down = Object.entries(observed.up).filter(([, v]) => v === 0).map(([k]) => k)
  expect(down).toContain(instance)
  expect(observed.up[instance]).toBe(0)
  const healthy = Object.entries(observed.up).filter(([k]) => k.startsWith('healthy/'))
  expect(healthy.length).toBeGreaterThan(0)
  for (const [, value] of healthy) expect(value).toBe(1)
  expect(sampleValue(observed.own, `promregator_scrape_errors_total{reason="${reason}"}`)).toBeGreaterThanOrEqual(1)
  const [app, index] = instance.split('/')
  const lines = observed.logs.filter((l) => l.msg === 'scrape failed' && l.fields.app === app && String(l.fields.target).endsWith(`:${index}`))
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatchObject({ level, fields: { reason } })
}

describe('failures behind the gorouter', () => {
  let sim: Simulator
  let observed: Observed

  beforeAll(async () => {
    sim = await startSimulator(
      oneSpace('org', 'dev', [
        { name: 'healthy', instances: 2, routes: [{ host: 'healthy' }] },
        { name: 'gone', instances: 2, instanceStates: ['RUNNING', 'CRASHED'], routes: [{ host: 'gone' }] },
        { name: 'locked', instances: 1, routes: [{ host: 'locked' }], basicAuth: { username: 'u', password: 'not-configured' } },
        { name: 'moved', instances: 1, routes: [{ host: 'moved' }], metricsPath: '/actuator/prometheus' },
        { name: 'slow', instances: 1, routes: [{ host: 'slow' }], delayMs: 3000 },
        { name: 'huge', instances: 1, routes: [{ host: 'huge' }], body: () => `# TYPE big gauge\n${'big{pad="x"} 1\n'.repeat(20_000)}` },
      ]),
    )
    const logger = collectingLogger()
    const pipeline = assembleFromYaml(
      simConfig(sim, '  targets:\n    - { orgName: org, spaceName: dev, applicationRegex: ".*", protocol: http }', {
        scraping: `    connectionTimeout: 300
    socketReadTimeout: 300
    maxProcessingTime: 1000
    maxResponseSize: 65536`,
      }),
      { fetch: proxyAwareFetch, logger },
    )
    observed = await observe(pipeline, logger.lines)
  })
  afterAll(() => sim?.close())

  it('scrapes the healthy instances in the same response', () => {
    expect(observed.up).toMatchObject({ 'healthy/0': 1, 'healthy/1': 1, 'gone/0': 1 })
  })
  it("names the router's unknown_route for an instance that is gone (info)", () => expectOnlyDown(observed, 'gone/1', 'unknown_route', 'info'))
  it('names a 401 from the app (error)', () => expectOnlyDown(observed, 'locked/0', 'unauthorized', 'error'))
  it('names a non-200 answer (warn)', () => expectOnlyDown(observed, 'moved/0', 'http_status', 'warn'))
  it('names a timeout (warn)', () => expectOnlyDown(observed, 'slow/0', 'timeout', 'warn'))
  it('names a body over maxResponseSize (warn)', () => expectOnlyDown(observed, 'huge/0', 'body_too_large', 'warn'))
  it('has no other instance down', () => {
    expect(Object.entries(observed.up).filter(([, v]) => v === 0).map(([k]) => k).sort()).toEqual(['gone/1', 'huge/0', 'locked/0', 'moved/0', 'slow/0'])
  })
})

describe('failures on direct connections (overrideRouteAndPath)', () => {
  let sim: Simulator
  let observed: Observed
  const servers: TestServer[] = []

  beforeAll(async () => {
    const good = await startServer((_req, res) => res.writeHead(200, { 'content-type': TEXT_TYPE }).end(METRICS_BODY))
    const forbidden = await startServer((_req, res) => res.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden\n'))
    const html = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>metrics</html>'))
    servers.push(good, forbidden, html)
    const pki = pkiUnavailable() ? undefined : generatePki()
    if (pki) servers.push(await startServer((_req, res) => res.writeHead(200, { 'content-type': TEXT_TYPE }).end(METRICS_BODY), pki.selfSignedServer))
    const refusedPort = await freePort()
    const app = (name: string) => ({ name, instances: 1, routes: [{ host: name }] })
    sim = await startSimulator(oneSpace('org', 'dev', ['healthy', 'forbidden', 'html', 'refused', 'nxdomain', 'untrusted'].map(app)))
    const override = (name: string, to: string, protocol = 'http') => `    - { orgName: org, spaceName: dev, applicationName: ${name}, protocol: ${protocol}, overrideRouteAndPath: "${to}" }`
    const logger = collectingLogger()
    const pipeline = assembleFromYaml(
      `
${cfYaml(sim)}promregator:
  scraping: { connectionTimeout: 2000, socketReadTimeout: 2000, maxProcessingTime: 4000 }
  targets:
${override('healthy', `127.0.0.1:${good.port}`)}
${override('forbidden', `127.0.0.1:${forbidden.port}`)}
${override('html', `127.0.0.1:${html.port}`)}
${override('refused', `127.0.0.1:${refusedPort}`)}
${override('nxdomain', 'metrics.no-such-host.promregator-test.invalid')}
${pki ? override('untrusted', `127.0.0.1:${servers[3]!.port}`, 'https') : ''}
`,
      { fetch: proxyAwareFetch, logger },
    )
    observed = await observe(pipeline, logger.lines)
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()))
    await sim?.close()
  })

  it('scrapes the override of the healthy app, without X-CF-APP-INSTANCE', () => {
    expect(observed.up['healthy/0']).toBe(1)
    const seen = servers[0]!.requests[0]!
    expect(seen.path).toBe('/metrics')
    expect(seen.headers['x-cf-app-instance']).toBeUndefined()
  })
  it('names a DNS failure (warn)', () => expectOnlyDown(observed, 'nxdomain/0', 'dns', 'warn'))
  it('names a refused connection (warn)', () => expectOnlyDown(observed, 'refused/0', 'connection_refused', 'warn'))
  it('names a 403 from the app (error)', () => expectOnlyDown(observed, 'forbidden/0', 'forbidden', 'error'))
  it('names an unsupported content type (warn)', () => expectOnlyDown(observed, 'html/0', 'content_type', 'warn'))
  it('names a TLS error (error)', ({ skip }) => {
    if (pkiUnavailable()) return skip()
    expectOnlyDown(observed, 'untrusted/0', 'tls', 'error')
  })
})
