/**
 * `/singleTargetMetrics` and `/metrics` for Prometheus 3 and native histograms: the scraper's Accept goes on to
 * the instance, and what the instance answers comes back under its exact Content-Type with our two
 * metrics appended in the same format — protobuf as delimited `MetricFamily` messages after the
 * instance's bytes, which stay as they were. With label enrichment on, the protobuf is relabelled
 * metric by metric. A broken protobuf body is the instance down, said in a format the scraper reads.
 * `/metrics` answers a scraper that prefers protobuf in protobuf when every instance does (their
 * families merged by name, native histograms intact), else in text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseExposition } from '../../src/exposition/index.ts'
import { counterFamily, decodeFamilies, nativeHistogramFamily, PROMETHEUS_NATIVE_ACCEPT, PROTOBUF_CONTENT_TYPE } from '../support/metrics-protobuf.ts'
import { simConfig } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { assembleFrom, type Harness } from './harness.ts'

const PROM_3_UTF8 = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
const HISTOGRAM = { count: 7, sum: 1.25, schema: 0, zeroThreshold: 1e-128, zeroCount: 1, spans: [[0, 2]] as Array<[number, number]>, counts: [4, 2] }
const INSTANCE_BODY = Uint8Array.from([...nativeHistogramFamily('rpc_seconds', 'RPC latency.', { code: '200' }, HISTOGRAM), ...counterFamily('jobs_total', 'Jobs.', [{ labels: { app_name: 'spoofed' }, value: 3 }])])
const UTF8_TYPE = 'text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8'
const PROM_2_53 = 'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
const UTF8_TEXT = '# TYPE "http.requests" counter\n{"http.requests",code="200"} 5\n'

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator(
    oneSpace('acme', 'dev', [
      { name: 'native', instances: 1, routes: [{ host: 'native' }], protobuf: () => INSTANCE_BODY },
      { name: 'cut', instances: 1, routes: [{ host: 'cut' }], protobuf: () => INSTANCE_BODY.subarray(0, 20) },
      // Answers text 1.0.0 with UTF-8 names whatever it is asked (a client that ignores Accept).
      { name: 'utf8', instances: 1, routes: [{ host: 'utf8' }], format: 'text', contentType: UTF8_TYPE, body: () => UTF8_TEXT },
    ]),
  )
})
afterAll(() => sim.close())

const TARGETS = `  targets:
    - { orgName: acme, spaceName: dev, applicationRegex: ".*", protocol: http }`

function harness(enrichment = false): Harness {
  return assembleFrom(simConfig(sim, TARGETS, { scraping: `    maxProcessingTime: 3000\n    labelEnrichment: ${enrichment}` }))
}

async function get(h: Harness, app: string, accept?: string) {
  const res = await h.app.request(`/singleTargetMetrics/${sim.app(app).guid}/0`, { headers: accept === undefined ? {} : { accept } })
  return { status: res.status, type: res.headers.get('content-type'), bytes: new Uint8Array(await res.arrayBuffer()) }
}

describe('protobuf through /singleTargetMetrics', () => {
  let h: Harness
  beforeAll(() => {
    h = harness()
  })
  afterAll(() => h.stop())

  it('forwards the scraper Accept and passes the instance bytes through under its Content-Type, promregator_up appended', async () => {
    const r = await get(h, 'native', PROMETHEUS_NATIVE_ACCEPT)
    expect(r.status).toBe(200)
    expect(r.type).toBe(PROTOBUF_CONTENT_TYPE)
    expect(sim.lastInstanceRequest('native', 0)?.headers.accept).toBe(PROMETHEUS_NATIVE_ACCEPT)
    expect([...r.bytes.subarray(0, INSTANCE_BODY.byteLength)]).toEqual([...INSTANCE_BODY])
    const families = decodeFamilies(r.bytes)
    expect(families.map((f) => f.name)).toEqual(['rpc_seconds', 'jobs_total', 'promregator_up', 'promregator_scrape_duration_seconds'])
    expect(families[0]!.metrics[0]!.histogram).toMatchObject({ count: 7, schema: 0, deltas: [4, -2] })
    expect(families[2]!.metrics[0]).toEqual({ labels: [], gauge: 1 })
  })

  it('answers text to a scraper that did not ask for protobuf, from the same instance', async () => {
    const r = await get(h, 'native', 'text/plain;version=0.0.4')
    expect(r.type).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(new TextDecoder().decode(r.bytes)).toContain('promregator_up 1')
  })

  it('makes a protobuf body cut short the instance down, told in text, not passed on', async () => {
    const r = await get(h, 'cut', PROMETHEUS_NATIVE_ACCEPT)
    expect(r.type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8')
    const parsed = parseExposition(new TextDecoder().decode(r.bytes), 'openmetrics')
    expect(parsed.ok && parsed.families.find((f) => f.name === 'promregator_up')?.samples[0]?.value).toBe(0)
  })

  it('passes text 1.0.0 on as it is to a scraper that accepts it, and converts it for one that does not', async () => {
    const asIs = await get(h, 'utf8', PROM_3_UTF8)
    expect(asIs.type).toBe(UTF8_TYPE)
    expect(new TextDecoder().decode(asIs.bytes)).toContain('{"http.requests",code="200"} 5')
    // Prometheus 2.53 reads no quoted names: the body is converted, names escaped with underscores.
    const converted = await get(h, 'utf8', PROM_2_53.replace(',*/*;q=0.2', ''))
    expect(converted.type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8')
    const text = new TextDecoder().decode(converted.bytes)
    expect(text).toContain('http_requests{code="200"} 5')
    expect(text).not.toContain('"http.requests"')
  })
})

describe('protobuf with label enrichment', () => {
  let h: Harness
  beforeAll(() => {
    h = harness(true)
  })
  afterAll(() => h.stop())

  it('adds the instance labels to every metric, ours included, the histogram kept native', async () => {
    const r = await get(h, 'native', PROMETHEUS_NATIVE_ACCEPT)
    expect(r.type).toBe(PROTOBUF_CONTENT_TYPE)
    const families = decodeFamilies(r.bytes)
    const labelsOf = (name: string) => Object.fromEntries(families.find((f) => f.name === name)!.metrics[0]!.labels)
    expect(labelsOf('rpc_seconds')).toMatchObject({ app_name: 'native', org_name: 'acme', space_name: 'dev', code: '200' })
    expect(labelsOf('jobs_total')).toMatchObject({ app_name: 'native', exported_app_name: 'spoofed' })
    expect(labelsOf('promregator_up')).toMatchObject({ app_name: 'native', org_name: 'acme' })
    expect(families[0]!.metrics[0]!.histogram).toMatchObject({ count: 7, deltas: [4, -2] })
  })
})

describe('protobuf on /metrics', () => {
  const harnessOf = (apps: string) =>
    assembleFrom(simConfig(sim, `  targets:\n    - { orgName: acme, spaceName: dev, applicationRegex: "${apps}", protocol: http }`, { scraping: '    maxProcessingTime: 3000' }))

  it('merges every instance protobuf answer into one, labelled, histograms native, a broken one down', async () => {
    const h = harnessOf('^(native|cut)$')
    try {
      const res = await h.app.request('/metrics', { headers: { accept: PROMETHEUS_NATIVE_ACCEPT } })
      expect(res.headers.get('content-type')).toBe(PROTOBUF_CONTENT_TYPE)
      const families = decodeFamilies(new Uint8Array(await res.arrayBuffer()))
      expect(families.map((f) => f.name)).toEqual(['rpc_seconds', 'jobs_total', 'promregator_up', 'promregator_scrape_duration_seconds'])
      const rpc = families[0]!.metrics[0]!
      expect(Object.fromEntries(rpc.labels)).toMatchObject({ app_name: 'native', org_name: 'acme', code: '200' })
      expect(rpc.histogram).toMatchObject({ count: 7, schema: 0, deltas: [4, -2] })
      const up = Object.fromEntries(families[2]!.metrics.map((m) => [Object.fromEntries(m.labels).app_name, m.gauge]))
      expect(up).toEqual({ native: 1, cut: 0 })
    } finally {
      h.stop()
    }
  })

  it('answers text when an instance answers only text, the protobuf ones asked again for text', async () => {
    const h = harnessOf('^(native|utf8)$')
    try {
      const res = await h.app.request('/metrics', { headers: { accept: PROMETHEUS_NATIVE_ACCEPT } })
      expect(res.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8')
      const text = await res.text()
      expect(text).toMatch(/promregator_up\{[^}]*app_name="native"[^}]*\} 1/)
      expect(text).toMatch(/promregator_up\{[^}]*app_name="utf8"[^}]*\} 1/)
      expect(sim.lastInstanceRequest('native', 0)?.headers.accept).not.toContain('protobuf')
    } finally {
      h.stop()
    }
  })
})
