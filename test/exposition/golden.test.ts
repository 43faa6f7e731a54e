import client from 'prom-client'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { describe, expect, it } from 'vitest'
import { mergeBodies, parseExposition, writeExposition } from '../../src/exposition/index.ts'
import type { Format, MetricFamily } from '../../src/exposition/types.ts'

/** A realistic registry: counters (with and without `_total`), gauges, histogram, summary, labels. */
async function body(format: Format): Promise<string> {
  // prom-client's typings omit the constructor's content-type argument (it exists at run time).
  const RegistryWithType = client.Registry as unknown as new (contentType: string) => client.Registry
  const r = new RegistryWithType(format === 'openmetrics' ? client.Registry.OPENMETRICS_CONTENT_TYPE : client.Registry.PROMETHEUS_CONTENT_TYPE)
  const c = new client.Counter({ name: 'http_requests_total', help: 'Requests "quoted" \\ back\nslash', labelNames: ['code', 'path'], registers: [r] })
  c.inc({ code: '200', path: '/' }, 3)
  c.inc({ code: '500', path: 'a"b\\c\nd' })
  new client.Counter({ name: 'jobs', help: 'Jobs done', registers: [r] }).inc(2)
  const g = new client.Gauge({ name: 'temperature_celsius', help: 'Temp', labelNames: ['room'], registers: [r] })
  g.set({ room: 'kitchen' }, 21.5)
  g.set({ room: 'cellar' }, -3)
  new client.Gauge({ name: 'not_a_number', help: 'NaN gauge', registers: [r] }).set(NaN)
  const h = new client.Histogram({ name: 'latency_seconds', help: 'Latency', labelNames: ['method'], buckets: [0.01, 0.1, 1, 10], registers: [r] })
  for (const v of [0.005, 0.05, 0.5, 5, 50]) h.observe({ method: 'GET' }, v)
  h.observe({ method: 'POST' }, 0.2)
  const s = new client.Summary({ name: 'payload_bytes', help: 'Payload', percentiles: [0.5, 0.9, 0.99], labelNames: ['kind'], registers: [r] })
  for (let i = 1; i <= 100; i++) s.observe({ kind: 'json' }, i)
  return r.metrics()
}

function families(text: string, format: Format): MetricFamily[] {
  const r = parseExposition(text, format)
  if (!r.ok) throw new Error(JSON.stringify(r.error))
  return r.families
}

describe.each<Format>(['text', 'openmetrics'])('prom-client output (%s)', (format) => {
  it('parses with the expected families, buckets and quantiles', async () => {
    const fams = families(await body(format), format)
    const om = format === 'openmetrics'
    expect(fams.map((f) => [f.name, f.type])).toEqual([
      [om ? 'http_requests' : 'http_requests_total', 'counter'],
      ['jobs', 'counter'],
      ['temperature_celsius', 'gauge'],
      ['not_a_number', 'gauge'],
      ['latency_seconds', 'histogram'],
      ['payload_bytes', 'summary'],
    ])
    const req = fams[0] as MetricFamily
    expect(req.help).toBe('Requests "quoted" \\ back\nslash')
    expect(req.samples.map((s) => [s.name, s.labels, s.value])).toEqual([
      ['http_requests_total', { code: '200', path: '/' }, 3],
      ['http_requests_total', { code: '500', path: 'a"b\\c\nd' }, 1],
    ])
    expect(fams[1]?.samples[0]?.name).toBe(om ? 'jobs_total' : 'jobs')
    expect(fams[3]?.samples[0]?.value).toBeNaN()
    const hist = fams[4] as MetricFamily
    const get = hist.samples.filter((s) => s.name === 'latency_seconds_bucket' && s.labels.method === 'GET')
    expect(get.map((s) => [s.labels.le, s.value])).toEqual([['0.01', 1], ['0.1', 2], ['1', 3], ['10', 4], ['+Inf', 5]])
    expect(hist.samples.find((s) => s.name === 'latency_seconds_count' && s.labels.method === 'GET')?.value).toBe(5)
    const sum = fams[5] as MetricFamily
    expect(sum.samples.filter((s) => s.name === 'payload_bytes').map((s) => s.labels.quantile)).toEqual(['0.5', '0.9', '0.99'])
    expect(sum.samples.find((s) => s.name === 'payload_bytes_count')?.value).toBe(100)
  })

  it('round-trips through our writer, in the same and in the other format', async () => {
    const fams = families(await body(format), format)
    expect(families(writeExposition(fams, format), format)).toEqual(fams)
    const other: Format = format === 'text' ? 'openmetrics' : 'text'
    const series = (fs: MetricFamily[]): string[] => fs.flatMap((f) => f.samples.map((s) => `${s.name}${JSON.stringify(s.labels)} ${s.value}`)).sort()
    expect(series(families(writeExposition(fams, other), other))).toEqual(series(fams))
  })

  it('passes sample lines through byte for byte on the fused path', async () => {
    const b = await body(format)
    const out = mergeBodies([{ body: b, format, labels: {} }], format)
    const sampleLines = (t: string): string[] => t.split('\n').filter((l) => l !== '' && !l.startsWith('#'))
    expect(sampleLines(out.body)).toEqual(sampleLines(b))
  })
})

describe('agreement with parse-prometheus-text-format (text)', () => {
  it('gives the same names, types, help and values', async () => {
    const b = await body('text')
    const ours = families(b, 'text')
    const theirs = parsePrometheusTextFormat(b) as { name: string; help: string; type: string; metrics: unknown[] }[]
    expect(ours.map((f) => [f.name, f.type.toUpperCase(), f.help])).toEqual(theirs.map((f) => [f.name, f.type, f.help]))
    // Their histogram/summary shape differs; compare plain counters and gauges sample by sample.
    for (const [i, f] of ours.entries()) {
      if (f.type !== 'counter' && f.type !== 'gauge') continue
      const t = theirs[i]?.metrics as { value: string; labels?: Record<string, string> }[]
      expect(f.samples.map((s) => [s.labels, s.value])).toEqual(t.map((m) => [m.labels ?? {}, Number(m.value)]))
    }
  })
})
