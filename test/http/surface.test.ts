/**
 * The operator's endpoints against the simulator: `/promregatorMetrics` in both formats (valid
 * for `promtool check metrics`, with process, HTTP, scrape and discovery figures, route
 * patterns as labels), the failedTargetStatus option, health before and after the first
 * discovery, and gzip when the client accepts it.
 */
import { spawnSync } from 'node:child_process'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseExposition } from '../../src/exposition/index.ts'
import { findProgram, missing } from '../support/requirements.ts'
import { simConfig } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { assembleFrom, type Harness } from './harness.ts'

const OPENMETRICS = 'application/openmetrics-text;version=1.0.0'
const TEXT = 'text/plain;version=0.0.4'
const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator(
    oneSpace('acme', 'dev', [
      { name: 'web', instances: 2, instanceStates: ['RUNNING', 'CRASHED'], routes: [{ host: 'web' }] },
      { name: 'big', instances: 1, routes: [{ host: 'big' }], format: 'text', body: () => Array.from({ length: 300 }, (_, i) => `series_${i} ${i}\n`).join('') },
    ]),
  )
})
afterAll(() => sim.close())

const TARGETS = `  targets:
    - { orgName: acme, spaceName: dev, applicationRegex: ".*", protocol: http }`

function harness(scraping = ''): Harness {
  return assembleFrom(simConfig(sim, TARGETS, { scraping }))
}

describe('/promregatorMetrics', () => {
  let h: Harness
  beforeAll(async () => {
    h = harness()
    const guid = sim.app('web').guid
    await h.app.request(`/singleTargetMetrics/${guid}/0`)
    await h.app.request(`/singleTargetMetrics/${guid}/1`)
    await h.app.request('/metrics')
    await h.app.request('/no/such/path/123')
  })
  afterAll(() => h.stop())

  for (const [accept, contentType, format] of [
    [PROMETHEUS_ACCEPT, OPENMETRICS, 'openmetrics'],
    [TEXT, TEXT, 'text'],
    [undefined, TEXT, 'text'],
  ] as const) {
    it(`answers ${format} to Accept: ${accept ?? '(none)'}`, async () => {
      const res = await h.app.request('/promregatorMetrics', { headers: accept ? { accept } : {} })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')?.replace(/\s+/g, '')).toContain(contentType)
      const body = await res.text()
      const parsed = parseExposition(body, format)
      expect(parsed.ok, body).toBe(true)
      if (!parsed.ok) return
      const names = parsed.families.map((f) => f.name)
      for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds', 'process_start_time_seconds', 'promregator_event_loop_lag_seconds', 'promregator_http_request_duration_seconds', 'promregator_http_requests_in_flight', 'promregator_outbound_requests_in_flight', 'promregator_instance_scrape_duration_seconds', 'promregator_discovery_targets', 'promregator_discovery_age_seconds', 'promregator_build_info']) {
        expect(names.some((n) => n === name || n === `${name}_total`), `${name} in ${format}`).toBe(true)
      }
      const requests = parsed.families.find((f) => f.name.startsWith('promregator_http_requests') && f.type === 'counter')!
      const routes = new Set(requests.samples.map((s) => s.labels.route))
      // Route patterns, never raw paths: the label set stays bounded.
      expect(routes).toContain('/singleTargetMetrics/:appGuid/:index')
      expect(routes).toContain('/metrics')
      expect(routes).toContain('unmatched')
      expect([...routes].some((r) => r?.includes(sim.app('web').guid))).toBe(false)
      const scrapes = parsed.families.find((f) => f.name.startsWith('promregator_scrapes'))!
      const byOutcome = Object.fromEntries(scrapes.samples.map((s) => [s.labels.outcome, s.value]))
      expect(byOutcome).toEqual({ success: 3, failure: 2 }) // web/0 twice and big once ok; the crashed web/1 twice
      const errors = parsed.families.find((f) => f.name.startsWith('promregator_scrape_errors'))!
      expect(errors.samples.map((s) => s.labels.reason)).toEqual(['unknown_route'])
    })
  }

  it('is accepted by promtool check metrics in both formats', async (ctx) => {
    const promtool = findProgram('promtool')
    const reason = missing([{ name: 'promtool', present: promtool !== undefined, hint: 'apt-get install prometheus' }])
    if (reason) return ctx.skip(reason)
    for (const accept of [PROMETHEUS_ACCEPT, TEXT]) {
      const body = await (await h.app.request('/promregatorMetrics', { headers: { accept } })).text()
      const run = spawnSync(promtool!, ['check', 'metrics'], { input: body, encoding: 'utf8' })
      // Exit 0 is valid, 3 means lint warnings only; 1 is a parse error.
      expect([0, 3], `${accept}\n${run.stdout}${run.stderr}\n${body}`).toContain(run.status)
      expect(run.stdout + run.stderr).not.toMatch(/error while linting|parse/i)
    }
  })
})

describe('promregator.scraping.failedTargetStatus', () => {
  it('answers a failed single-target scrape with 200 by default, promregator_up 0 in the body', async () => {
    const h = harness()
    try {
      const res = await h.app.request(`/singleTargetMetrics/${sim.app('web').guid}/1`)
      expect(res.status).toBe(200)
      expect(await res.text()).toMatch(/^promregator_up 0$/m)
    } finally {
      h.stop()
    }
  })

  it('answers with the configured 5xx when the scrape failed, 200 when it worked', async () => {
    const h = harness('    failedTargetStatus: 503')
    try {
      expect(h.lines.join('\n')).not.toMatch(/problem/)
      const failed = await h.app.request(`/singleTargetMetrics/${sim.app('web').guid}/1`)
      expect(failed.status).toBe(503)
      expect(await failed.text()).toMatch(/^promregator_up 0$/m)
      const ok = await h.app.request(`/singleTargetMetrics/${sim.app('web').guid}/0`)
      expect(ok.status).toBe(200)
      expect(await ok.text()).toMatch(/^promregator_up 1$/m)
    } finally {
      h.stop()
    }
  })

  it('rejects statuses other than 200 and 5xx', async () => {
    const { loadConfigText } = await import('../../src/config/load.ts')
    const loaded = loadConfigText(simConfig(sim, TARGETS, { scraping: '    failedTargetStatus: 404' }))
    expect(loaded.ok).toBe(false)
  })
})

describe('health', () => {
  it('/-/healthy is 200 always; /-/ready is 503 until the first discovery is done, then 200', async () => {
    sim.faults.setUnreachable(true)
    const h = harness()
    try {
      expect((await h.app.request('/-/healthy')).status).toBe(200)
      const before = await h.app.request('/-/ready')
      expect(before.status).toBe(503)
      expect(await before.text()).toMatch(/^Not ready: first discovery not done/)
      await h.targets.refresh() // fails: the API is unreachable
      const failed = await h.app.request('/-/ready')
      expect(failed.status).toBe(503)
      expect(await failed.text()).toMatch(/first discovery not done \(.+\)/)
      sim.faults.setUnreachable(false)
      await h.targets.refresh()
      expect((await h.app.request('/-/ready')).status).toBe(200)
      expect((await h.app.request('/-/healthy')).status).toBe(200)
      h.beginShutdown()
      const draining = await h.app.request('/-/ready')
      expect(draining.status).toBe(503)
      expect(await draining.text()).toMatch(/shutting down/)
    } finally {
      sim.faults.setUnreachable(false)
      h.stop()
    }
  })
})

describe('compression', () => {
  let h: Harness
  beforeAll(() => {
    h = harness()
  })
  afterAll(() => h.stop())

  for (const [accept, label] of [
    [TEXT, 'text'],
    [PROMETHEUS_ACCEPT, 'OpenMetrics'],
  ] as const) {
    it(`gzips ${label} /metrics when the client accepts gzip, and not otherwise`, async () => {
      const zipped = await h.app.request('/metrics', { headers: { accept, 'accept-encoding': 'gzip' } })
      expect(zipped.headers.get('content-encoding')).toBe('gzip')
      expect(zipped.headers.get('vary')).toMatch(/accept-encoding/i)
      const text = gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString('utf8')
      expect(text).toMatch(/^series_299\{[^}]*app_name="big"[^}]*\} 299$/m)
      expect(parseExposition(text, label === 'text' ? 'text' : 'openmetrics').ok).toBe(true)
      const plain = await h.app.request('/metrics', { headers: { accept } })
      expect(plain.headers.get('content-encoding')).toBeNull()
      expect(await plain.text()).toMatch(/^series_299\{[^}]*app_name="big"[^}]*\} 299$/m)
    })
  }

  it('says in Server-Timing where the time of a /metrics answer went', async () => {
    const timings = (res: Response) =>
      Object.fromEntries((res.headers.get('server-timing') ?? '').split(',').map((m) => [m.split(';')[0]!.trim(), Number(/dur=([\d.]+)/.exec(m)?.[1])]))
    // The binary's whole-body compressor is timed; the portable streaming one runs after the headers.
    const binaryLike = assembleFrom(simConfig(sim, TARGETS), { compressor: (data) => gzipSync(data, { level: 1 }) })
    const zipped = await binaryLike.app.request('/metrics', { headers: { 'accept-encoding': 'gzip' } })
    binaryLike.stop()
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString('utf8')).toContain('app_name="big"')
    const t = timings(zipped)
    expect(Object.keys(t).sort()).toEqual(['compress', 'merge', 'scrape', 'total'])
    for (const [name, ms] of Object.entries(t)) expect(ms, name).toBeGreaterThanOrEqual(0)
    expect(t.total).toBeGreaterThanOrEqual(t.scrape! + t.merge!)
    expect(zipped.headers.get('server-timing')).toContain('desc="scraping 3 instances')
    const plain = await h.app.request('/metrics')
    expect(Object.keys(timings(plain)).sort()).toEqual(['merge', 'scrape', 'total'])
    // Only /metrics: the per-instance endpoint Prometheus calls thousands of times carries no extra header.
    const single = await h.app.request(`/singleTargetMetrics/${sim.app('web').guid}/0`)
    expect(single.headers.get('server-timing')).toBeNull()
  })

  it('collects garbage once each /metrics answer is on its way, not after the small answers', async () => {
    let collections = 0
    const counted = assembleFrom(simConfig(sim, TARGETS), { collectGarbage: () => collections++ })
    try {
      await (await counted.app.request('/metrics')).text()
      await new Promise((resolve) => setTimeout(resolve, 10))
      expect(collections).toBe(1)
      await (await counted.app.request(`/singleTargetMetrics/${sim.app('web').guid}/0`)).text()
      await (await counted.app.request('/discovery')).text()
      await new Promise((resolve) => setTimeout(resolve, 10))
      expect(collections).toBe(1)
    } finally {
      counted.stop()
    }
  })

  it('gzips /promregatorMetrics, the discovery document and the status page', async () => {
    for (const path of ['/promregatorMetrics', '/discovery', '/']) {
      const res = await h.app.request(path, { headers: { 'accept-encoding': 'gzip, deflate' } })
      expect(res.headers.get('content-encoding'), path).toBe('gzip')
      expect(gunzipSync(Buffer.from(await res.arrayBuffer())).length, path).toBeGreaterThan(0)
    }
  })
})
