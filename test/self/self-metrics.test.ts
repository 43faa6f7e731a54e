/**
 * Own metrics from literals: process figures, the event-loop lag probe, HTTP metrics with
 * route patterns, and the last-outcome store of the status page.
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { writeExposition } from '../../src/exposition/index.ts'
import type { ScrapeTarget } from '../../src/model/target.ts'
import type { ScrapeResult } from '../../src/scrape/types.ts'
import { registerHttpMetrics, routePattern } from '../../src/self/http.ts'
import { createSelfMetrics } from '../../src/self/metrics.ts'
import { registerProcessMetrics } from '../../src/self/process.ts'
import { Registry } from '../../src/self/registry.ts'
import { createScrapeOutcomes } from '../../src/self/scrape-outcomes.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('process metrics', () => {
  it('reports RSS, heap, CPU seconds and start time', () => {
    const registry = new Registry()
    const probe = registerProcessMetrics(registry, { startedAt: 1_700_000_000_500 })
    probe.stop()
    const byName = Object.fromEntries(registry.collect().map((f) => [f.name, f]))
    expect(byName.process_resident_memory_bytes!.samples[0]!.value).toBeGreaterThan(1024 * 1024)
    expect(byName.process_heap_bytes!.samples[0]!.value).toBeGreaterThan(0)
    expect(byName.process_cpu_seconds!.type).toBe('counter')
    expect(byName.process_cpu_seconds!.samples[0]!.name).toBe('process_cpu_seconds_total')
    expect(byName.process_cpu_seconds!.samples[0]!.value).toBeGreaterThan(0)
    expect(byName.process_start_time_seconds!.samples[0]!.value).toBe(1_700_000_000)
  })

  it('sees the event loop blocked', async () => {
    const registry = new Registry()
    const probe = registerProcessMetrics(registry, { probeIntervalMs: 20 })
    try {
      await sleep(50)
      const until = performance.now() + 300
      while (performance.now() < until) {
        // busy: the probe's timer cannot fire
      }
      await sleep(40)
      const lag = registry.collect().find((f) => f.name === 'promregator_event_loop_lag_seconds')!.samples[0]!.value
      expect(lag).toBeGreaterThanOrEqual(0.2)
    } finally {
      probe.stop()
    }
  })
})

describe('HTTP metrics', () => {
  it('names the endpoint by its pattern, unmatched requests as "unmatched"', () => {
    expect(routePattern([{ method: 'ALL', path: '*' }, { method: 'GET', path: '/singleTargetMetrics/:appGuid/:index' }])).toBe('/singleTargetMetrics/:appGuid/:index')
    expect(routePattern([{ method: 'ALL', path: '*' }, { method: 'ALL', path: '/metrics' }])).toBe('unmatched')
    expect(routePattern([])).toBe('unmatched')
  })

  it('counts requests by route, method and status and times them', async () => {
    const registry = new Registry()
    const http = registerHttpMetrics(registry)
    const app = new Hono()
    app.use('*', http.middleware)
    app.get('/items/:id', (c) => c.text(c.req.param('id')))
    app.get('/fail', () => {
      throw new Error('x')
    })
    for (const id of ['1', '2', '3']) await app.request(`/items/${id}`)
    await app.request('/fail')
    await app.request('/other')
    const families = Object.fromEntries(registry.collect().map((f) => [f.name, f]))
    const counts = families.promregator_http_requests!.samples.map((s) => [s.labels.route, s.labels.method, s.labels.status, s.value])
    expect(counts).toEqual([
      ['/items/:id', 'GET', '200', 3],
      ['/fail', 'GET', '500', 1],
      ['unmatched', 'GET', '404', 1],
    ])
    const countSample = families.promregator_http_request_duration_seconds!.samples.find((s) => s.name.endsWith('_count') && s.labels.route === '/items/:id')
    expect(countSample?.value).toBe(3)
    expect(families.promregator_http_requests_in_flight!.samples[0]!.value).toBe(0)
  })

  it('counts outbound requests in flight until their headers arrive', async () => {
    const registry = new Registry()
    const http = registerHttpMetrics(registry)
    let release!: () => void
    const inner = (() => new Promise<Response>((r) => (release = () => r(new Response('ok'))))) as unknown as typeof fetch
    const pending = http.countOutbound(inner)('http://x/')
    const inFlight = () => registry.collect().find((f) => f.name === 'promregator_outbound_requests_in_flight')!.samples[0]!.value
    expect(inFlight()).toBe(1)
    release()
    await pending
    expect(inFlight()).toBe(0)
  })

  it('the whole registry writes in both formats', () => {
    const metrics = createSelfMetrics(() => 0, () => 5000, { version: 'v"1\\2' })
    metrics.stop()
    metrics.scrapes.inc({ outcome: 'success' })
    for (const format of ['text', 'openmetrics'] as const) {
      const body = writeExposition(metrics.registry.collect(), format)
      expect(body).toContain('promregator_build_info{version="v\\"1\\\\2"} 1')
      expect(body).toContain('promregator_discovery_age_seconds 5')
    }
  })
})

describe('scrape outcomes', () => {
  const target = (id: string) => ({ id }) as ScrapeTarget
  it('keeps the last outcome per target, with failure details', () => {
    let now = 1000
    const store = createScrapeOutcomes({ now: () => now })
    store.record({ ok: true, target: target('a:0'), body: '', format: 'text', durationMs: 5, bytes: 10 } as ScrapeResult)
    now = 2000
    store.record({ ok: false, target: target('a:0'), reason: 'timeout', message: 'too slow', durationMs: 3000, bytes: 0 })
    expect(store.get('a:0')).toEqual({ ok: false, at: 2000, durationMs: 3000, bytes: 0, reason: 'timeout', error: 'too slow' })
    store.record({ ok: true, target: target('b:0'), body: '', format: 'text', durationMs: 5, bytes: 10 } as ScrapeResult)
    store.recordParseError('b:0', 'line 1: bad')
    expect(store.get('b:0')).toMatchObject({ ok: false, reason: 'parse_error', error: 'line 1: bad' })
    store.recordParseError('never:0', 'x')
    expect(store.get('never:0')).toBeUndefined()
  })

  it('is bounded', () => {
    const store = createScrapeOutcomes({ max: 3 })
    for (let i = 0; i < 10; i++) store.record({ ok: true, target: target(`t:${i}`), body: '', format: 'text', durationMs: 1, bytes: 1 } as ScrapeResult)
    expect(store.size()).toBe(3)
    expect(store.get('t:9')).toBeDefined()
    expect(store.get('t:0')).toBeUndefined()
  })

  it('drops first the target scraped least recently', () => {
    const store = createScrapeOutcomes({ max: 2 })
    const ok = (id: string) => ({ ok: true, target: target(id), body: '', format: 'text', durationMs: 1, bytes: 1 }) as ScrapeResult
    store.record(ok('a:0'))
    store.record(ok('b:0'))
    store.record(ok('a:0')) // a is scraped again: b is now the stalest
    store.record(ok('c:0'))
    expect([store.get('a:0'), store.get('b:0'), store.get('c:0')].map(Boolean)).toEqual([true, false, true])
  })

  it('keeps only the targets discovery still knows', () => {
    const store = createScrapeOutcomes()
    for (const id of ['a:0', 'a:1', 'b:0']) store.record({ ok: true, target: target(id), body: '', format: 'text', durationMs: 1, bytes: 1 } as ScrapeResult)
    store.retain(new Set(['a:0', 'b:0', 'new:0']))
    expect(store.size()).toBe(2)
    expect(store.get('a:1')).toBeUndefined()
    expect(store.get('b:0')).toBeDefined()
  })
})
