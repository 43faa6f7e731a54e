import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { mergeBodies, parseExposition, scanBody } from '../../src/exposition/index.ts'
import type { Format, MetricFamily } from '../../src/exposition/types.ts'

const TEXT_A = `# HELP http_requests_total Requests (A)
# TYPE http_requests_total counter
http_requests_total{code="200",app_name="spoofed"} 10
http_requests_total{code="500"} 1
# TYPE queue_size gauge
queue_size 3
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.1"} 1
latency_seconds_bucket{le="+Inf"} 2
latency_seconds_sum 0.3
latency_seconds_count 2
loose_metric{x="1"} 5
`
const OM_B = `# HELP http_requests Requests (B)
# TYPE http_requests counter
http_requests_total{code="200"} 20 # {trace_id="t"} 1
http_requests_created{code="200"} 1700000000
# TYPE queue_size counter
queue_size_total 7
# TYPE build info
build_info{version="1.0"} 1
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.1"} 4
latency_seconds_bucket{le="+Inf"} 5
latency_seconds_sum 0.9
latency_seconds_count 5
loose_metric{x="2"} 6
# EOF
`
const TEXT_C = `# TYPE queue_size summary
queue_size{quantile="0.5"} 1
queue_size_sum 1
queue_size_count 1
# TYPE build_info gauge
build_info{version="2.0",exported_app_name="already",app_name="x"} 1
`
const label = (app: string, i: number) => ({ org_name: 'o', space_name: 's', app_name: app, cf_instance_id: `${app}-guid:${i}`, cf_instance_number: String(i) })

function parse(body: string, format: Format): MetricFamily[] {
  const r = parseExposition(body, format)
  if (!r.ok) throw new Error(JSON.stringify(r.error))
  return r.families
}

const sources = [
  { body: TEXT_A, format: 'text' as const, labels: label('a', 0) },
  { body: OM_B, format: 'openmetrics' as const, labels: label('b', 1) },
  { body: TEXT_C, format: 'text' as const, labels: label('c', 2) },
]

describe('mergeBodies', () => {
  for (const out of ['text', 'openmetrics'] as const) {
    it(`merges mixed text and OpenMetrics instances (${out})`, () => {
      const r = mergeBodies(sources, out)
      expect(r.failures).toEqual([])
      expect(r.conflicts).toEqual([
        { metric: 'queue_size', sourceIndex: 2, firstType: 'gauge', conflictingType: 'summary' },
      ])
      const fams = parse(r.body, out)
      // One family per name, HELP/TYPE once each.
      const names = fams.map((f) => f.name)
      expect(new Set(names).size).toBe(names.length)
      const byName = new Map(fams.map((f) => [f.name, f]))
      const req = byName.get(out === 'text' ? 'http_requests_total' : 'http_requests') as MetricFamily
      expect(req.type).toBe('counter')
      expect(req.help).toBe('Requests (A)')
      expect(req.samples.filter((s) => s.name === 'http_requests_total').map((s) => [s.labels.app_name, s.labels.exported_app_name, s.value])).toEqual([
        ['a', 'spoofed', 10], ['a', undefined, 1], ['b', undefined, 20],
      ])
      // queue_size: A's gauge wins; B's counter `queue_size_total` is a different series family; C's summary is dropped.
      expect(byName.get('queue_size')?.samples.map((s) => s.labels.app_name)).toEqual(['a'])
      // In OpenMetrics both want the name `queue_size`; the counter is written as `unknown queue_size_total`.
      expect(byName.get('queue_size_total')).toMatchObject({ type: out === 'text' ? 'counter' : 'unknown', samples: [expect.objectContaining({ name: 'queue_size_total', value: 7 })] })
      // OM info `build` and text gauge `build_info` are the same series.
      const build = byName.get(out === 'text' ? 'build_info' : 'build') as MetricFamily
      expect(build.samples.map((s) => [s.labels.app_name, s.labels.exported_app_name, s.labels.exported_exported_app_name])).toEqual([
        ['b', undefined, undefined], ['c', 'already', 'x'],
      ])
      // Histograms from both formats merge; untyped samples are kept.
      expect(byName.get('latency_seconds')?.samples.filter((s) => s.name === 'latency_seconds_count').map((s) => s.value)).toEqual([2, 5])
      expect(byName.get('loose_metric')?.samples.map((s) => s.labels.x)).toEqual(['1', '2'])
      // Enrichment labels on every sample.
      for (const f of fams) for (const s of f.samples) expect(s.labels).toMatchObject({ org_name: 'o', space_name: 's' })
      if (out === 'openmetrics') {
        expect(r.body.endsWith('# EOF\n')).toBe(true)
        expect(req.samples.some((s) => s.name === 'http_requests_created')).toBe(true)
        expect(req.samples.find((s) => s.exemplar)?.exemplar).toEqual({ labels: { trace_id: 't' }, value: 1 })
      } else {
        expect(r.body).not.toContain('_created')
      }
    })
  }

  it('accepts bodies parsed earlier, extra families per source, and reports unparsable bodies', () => {
    const pb = scanBody(TEXT_A, 'text')
    if (!pb.ok) throw new Error('parse')
    const up: MetricFamily = { name: 'promregator_up', type: 'gauge', help: 'Up', samples: [{ name: 'promregator_up', labels: {}, value: 1 }] }
    const down: MetricFamily = { ...up, samples: [{ name: 'promregator_up', labels: {}, value: 0 }] }
    const r = mergeBodies(
      [
        { body: pb.scanned, labels: label('a', 0), families: [up] },
        { body: 'broken{ 1\n', format: 'text', labels: label('b', 1), families: [down] },
      ],
      'text',
    )
    expect(r.failures).toEqual([{ sourceIndex: 1, error: expect.objectContaining({ line: 1 }) }])
    const upFam = parse(r.body, 'text').find((f) => f.name === 'promregator_up')
    expect(upFam?.samples.map((s) => [s.labels.app_name, s.value])).toEqual([['a', 1], ['b', 0]])
  })

  it('rewrites lines it cannot copy as they are (blanks, timestamps, exemplars) and copies the others', () => {
    const body = 'm\t{a="1"} 1\nm{a="2"}  2\nm{a="3"} 3 1700000000000\nm{a="4"} 4\nm 5'
    const r = mergeBodies([{ body, format: 'text', labels: { app_name: 'x' } }], 'text')
    expect(r.body).toBe([
      '# TYPE m untyped',
      'm{a="1",app_name="x"} 1', 'm{a="2",app_name="x"} 2', 'm{a="3",app_name="x"} 3 1700000000000', 'm{a="4",app_name="x"} 4',
      'm{app_name="x"} 5', '',
    ].join('\n'))
    const om = '# TYPE c counter\nc_total{a="1"} 1 # {t="x"} 1\nc_created{a="1"} 17\nc_total{a="2"} 2 1.5\n# EOF\n'
    expect(mergeBodies([{ body: om, format: 'openmetrics', labels: { app_name: 'x' } }], 'text').body).toBe(
      '# TYPE c_total counter\nc_total{a="1",app_name="x"} 1\nc_total{a="2",app_name="x"} 2 1500\n',
    )
  })

  it('treats an empty target label as absent, like Prometheus', () => {
    const r = mergeBodies([{ body: 'm{app_name="",x="1"} 1\n', format: 'text', labels: { app_name: 'a' } }], 'text')
    expect(r.body).toBe('# TYPE m untyped\nm{x="1",app_name="a"} 1\n')
  })
})

describe('isolation: what one instance serves never breaks the merged answer', () => {
  const neighbour = { body: 'ok 1\n', format: 'text' as const, labels: { app_name: 'y' } }
  const merge = (body: string, format: 'text' | 'openmetrics', out: 'text' | 'openmetrics') => mergeBodies([{ body, format, labels: { app_name: 'x' } }, neighbour], out)

  it.each([
    ['empty braces, text', 'a_total{} 1\n', 'text', 'a_total{app_name="x"} 1'],
    ['empty braces, OpenMetrics', '# TYPE a counter\na_total{} 1\n# EOF\n', 'openmetrics', 'a_total{app_name="x"} 1'],
    ['trailing comma, text', 'a{a="1",} 1\n', 'text', 'a{a="1",app_name="x"} 1'],
  ] as const)('repairs what is certain: %s', (_, body, format, line) => {
    for (const out of ['text', 'openmetrics'] as const) {
      const r = merge(body, format, out)
      expect(r.failures).toEqual([])
      expect(r.body.split('\n')).toContain(line)
      expect(parseExposition(r.body, out).ok).toBe(true)
    }
  })

  it.each([
    ['a __name__ label', 'a{__name__="b"} 1\n', 'text', 'label name __name__ is reserved'],
    ['an exemplar on a gauge', '# TYPE a gauge\na 1 # {t="1"} 1\n# EOF\n', 'openmetrics', 'metric name a does not support exemplars'],
    ['an exemplar on a histogram sum', '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1 # {t="1"} 1\nh_count 1\n# EOF\n', 'openmetrics', 'metric name h_sum does not support exemplars'],
    // Text allows a trailing comma (repaired above); OpenMetrics does not, nor does Prometheus's parser of it.
    ['a trailing comma in OpenMetrics', '# TYPE a gauge\na{a="1",} 1\n# EOF\n', 'openmetrics', 'trailing comma in label set'],
  ] as const)('drops the instance whole for %s, keeping its neighbour', (_, body, format, message) => {
    for (const out of ['text', 'openmetrics'] as const) {
      const r = merge(body, format, out)
      expect(r.failures).toEqual([{ sourceIndex: 0, error: expect.objectContaining({ message: expect.stringContaining(message) }) }])
      expect(r.body).toContain('ok{app_name="y"} 1')
      expect(r.body).not.toContain('app_name="x"')
    }
  })

  it('reads a backslash before an ordinary character in OpenMetrics as itself, and writes it escaped', () => {
    const body = '# TYPE c counter\nc_total{a="b\\\\a\\z"} 1\n# EOF\n'
    for (const out of ['text', 'openmetrics'] as const) {
      const r = merge(body, 'openmetrics', out)
      expect(r.failures).toEqual([])
      expect(r.body).toContain('c_total{a="b\\\\a\\\\z",app_name="x"} 1')
    }
    expect(merge('c{a="\\z"} 1\n', 'text', 'text').failures).toHaveLength(1) // text knows no such escape
  })

  it('rewrites a sample whose labels are not as we write them even when an exemplar follows', () => {
    const body = '# TYPE c counter\nc_total{a="1"} 1 # {t="x"} 1\nc_total{a="\\q"} 2 # {t="y"} 1\n# EOF\n'
    const r = merge(body, 'openmetrics', 'openmetrics')
    expect(r.failures).toEqual([])
    expect(r.body).toContain('c_total{a="1",app_name="x"} 1 # {t="x"} 1')
    expect(r.body).toContain('c_total{a="\\\\q",app_name="x"} 2 # {t="y"} 1')
    expect(parseExposition(r.body, 'openmetrics').ok).toBe(true)
  })

  it('keeps exemplars where OpenMetrics allows them: counter totals and histogram buckets', () => {
    const body = '# TYPE c counter\nc_total 1 # {t="1"} 1\n# TYPE h histogram\nh_bucket{le="+Inf"} 1 # {t="2"} 1\nh_sum 1\nh_count 1\n# EOF\n'
    const r = merge(body, 'openmetrics', 'openmetrics')
    expect(r.failures).toEqual([])
    expect(r.body).toContain('c_total{app_name="x"} 1 # {t="1"} 1')
    expect(r.body).toContain('h_bucket{le="+Inf",app_name="x"} 1 # {t="2"} 1')
  })

  it('reads a text HELP line without text for a family already seen as a comment', () => {
    const r = merge('# HELP a The a.\na 1\n# HELP a\n# HELP a\n', 'text', 'text')
    expect(r.failures).toEqual([])
    expect(r.body).toContain('# HELP a The a.')
  })
})

describe('merging public families (own metrics, promregator_up)', () => {
  it('applies the same rules as to bodies', () => {
    const familySources = sources.map((s) => ({ families: parse(s.body, s.format), labels: s.labels }))
    const merged = mergeBodies(familySources, 'openmetrics')
    expect(merged.conflicts).toEqual([{ metric: 'queue_size', sourceIndex: 2, firstType: 'gauge', conflictingType: 'summary' }])
    const r = { families: parse(merged.body, 'openmetrics') }
    // The name as first seen (a text counter), which only text output spells out.
    const req = parse(mergeBodies(familySources, 'text').body, 'text')[0] as MetricFamily
    expect(req.name).toBe('http_requests_total')
    expect(req.samples[0]?.labels).toEqual({ code: '200', exported_app_name: 'spoofed', ...label('a', 0) })
    const viaBodies = parse(mergeBodies(sources, 'openmetrics').body, 'openmetrics')
    const series = (fs: MetricFamily[]): string[] => fs.flatMap((f) => f.samples.map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())} ${s.value}`)).sort()
    expect(series(r.families)).toEqual(series(viaBodies))
  })
})

const PROMTOOL = '/usr/bin/promtool'
const requireE2E = process.env.REQUIRE_E2E === '1'
const havePromtool = existsSync(PROMTOOL)
if (!havePromtool && !requireE2E) console.warn(`[exposition] skipping promtool test: ${PROMTOOL} not found (set REQUIRE_E2E=1 to make this fail)`)

describe('promtool check metrics', () => {
  it.skipIf(!havePromtool && !requireE2E)('accepts the merged text output (exit 0, or 3 for lint warnings only)', () => {
    expect(havePromtool, `${PROMTOOL} is required when REQUIRE_E2E=1`).toBe(true)
    const r = mergeBodies(sources, 'text')
    const res = spawnSync(PROMTOOL, ['check', 'metrics'], { input: r.body, encoding: 'utf8' })
    expect([0, 3], `${res.stdout}${res.stderr}\n${r.body}`).toContain(res.status)
  })
})
