/**
 * UTF-8 names through the HTTP answers: an instance serving quoted names (text 1.0.0, as a
 * Prometheus 3 client library does) reaches a scraper that allows UTF-8 names (Prometheus 3's
 * Accept) with its names quoted, on `/metrics` and on `/singleTargetMetrics` with label enrichment,
 * under a Content-Type that echoes `escaping=allow-utf-8`; any other scraper gets them escaped with
 * underscores under the Content-Type it has always had.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { simConfig } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { assembleFrom, type Harness } from './harness.ts'

const PROM_3 = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
const PROM_2_53 = 'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
const BODY = '# TYPE "http.requests_total" counter\n{"http.requests_total","route.path"="/a"} 5\n'

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator(
    oneSpace('acme', 'dev', [
      { name: 'utf8', instances: 1, routes: [{ host: 'utf8' }], format: 'text', contentType: 'text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8', body: () => BODY },
    ]),
  )
})
afterAll(() => sim.close())

function harness(enrichment: boolean): Harness {
  return assembleFrom(simConfig(sim, '  targets:\n    - { orgName: acme, spaceName: dev, applicationName: utf8, protocol: http }', { scraping: `    maxProcessingTime: 3000\n    labelEnrichment: ${enrichment}` }))
}

async function get(h: Harness, path: string, accept: string) {
  const res = await h.app.request(path, { headers: { accept } })
  return { type: res.headers.get('content-type'), body: await res.text() }
}

describe('UTF-8 names on /metrics and /singleTargetMetrics', () => {
  let h: Harness
  beforeAll(() => {
    h = harness(true)
  })
  afterAll(() => h.stop())

  it('are quoted for Prometheus 3, with the escaping echoed', async () => {
    const guid = sim.app('utf8').guid
    for (const path of ['/metrics', `/singleTargetMetrics/${guid}/0`]) {
      const r = await get(h, path, PROM_3)
      expect(r.type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8')
      expect(r.body).toContain('# TYPE "http.requests" counter\n')
      expect(r.body).toMatch(/\{"http\.requests_total","route\.path"="\/a",[^}]*app_name="utf8"[^}]*\} 5\n/)
    }
    // /metrics asks instances for UTF-8 names too, so a client need not escape them first.
    await get(h, '/metrics', PROM_3)
    expect(sim.lastInstanceRequest('utf8', 0)?.headers.accept).toContain('application/openmetrics-text;version=1.0.0;escaping=allow-utf-8')
  })

  it('are escaped with underscores for Prometheus 2', async () => {
    const r = await get(h, '/metrics', PROM_2_53)
    expect(r.type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8')
    expect(r.body).toMatch(/\nhttp_requests_total\{route_path="\/a",[^}]*app_name="utf8"[^}]*\} 5\n/)
    expect(r.body).not.toContain('"http.requests')
  })
})
