import { describe, expect, it } from 'vitest'
import { parseExposition } from '../../src/exposition/index.ts'
import type { Format, MetricFamily, ParseError } from '../../src/exposition/types.ts'

function ok(body: string, format: Format): MetricFamily[] {
  const r = parseExposition(body, format)
  if (!r.ok) throw new Error(JSON.stringify(r.error))
  return r.families
}
function err(body: string, format: Format): ParseError {
  const r = parseExposition(body, format)
  if (r.ok) throw new Error('expected an error')
  return r.error
}

describe('text 0.0.4', () => {
  it('reads HELP/TYPE, labels with escapes, special values and timestamps', () => {
    const fams = ok(
      [
        '# HELP http_requests_total Total "requests" \\\\ with\\nnewline \\t kept',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="post",path="a\\"b\\\\c\\nd"} 1027 1395066363000',
        'http_requests_total{method="get"} +Inf',
        '# a free comment',
        '',
        '  # TYPE g gauge',
        'g -Inf',
        'g{a="1"} NaN',
        'g{a="2"} nan',
        'g{a="3"} 1.5e-3 -5',
        'g{a="4"} .5',
      ].join('\n') + '\n',
      'text',
    )
    expect(fams).toHaveLength(2)
    const [c, g] = fams as [MetricFamily, MetricFamily]
    expect(c.help).toBe('Total "requests" \\ with\nnewline \\t kept')
    expect(c.type).toBe('counter')
    expect(c.samples[0]).toEqual({ name: 'http_requests_total', labels: { method: 'post', path: 'a"b\\c\nd' }, value: 1027, timestampMs: 1395066363000 })
    expect(c.samples[1]?.value).toBe(Infinity)
    expect(g.samples.map((s) => s.value)).toEqual([-Infinity, NaN, NaN, 0.0015, 0.5])
    expect(g.samples[3]?.timestampMs).toBe(-5)
  })

  it('tolerates blanks, tabs, trailing commas, empty label sets and a missing final newline', () => {
    const fams = ok('m {  a = "1" ,\tb="2", }\t 3   \nm{} 4\nm 5', 'text')
    expect(fams[0]?.samples).toEqual([
      { name: 'm', labels: { a: '1', b: '2' }, value: 3 },
      { name: 'm', labels: {}, value: 4 },
      { name: 'm', labels: {}, value: 5 },
    ])
  })

  it('groups histogram and summary samples under their family; untyped samples make their own', () => {
    const fams = ok(
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 1\ns_count 1\nloose 7\n',
      'text',
    )
    expect(fams.map((f) => [f.name, f.type, f.samples.length])).toEqual([['h', 'histogram', 4], ['s', 'summary', 3], ['loose', 'untyped', 1]])
  })

  it('attaches interleaved samples to their family', () => {
    const fams = ok('# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x="y"} 2\n', 'text')
    expect(fams.map((f) => [f.name, f.samples.length])).toEqual([['a', 2], ['b', 1]])
  })

  it.each([
    ['m{a="b} 1\n', 1, 10, /unterminated/],
    ['m 1 x\n', 1, 5, /timestamp/],
    ['m{a="\\t"} 1\n', 1, 6, /escape/],
    ['m{a="1",a="2"} 1\n', 1, 9, /duplicate label/],
    // Label names are reused from the previous sample by position: duplicates must still be caught.
    ['m{a="1",b="2"} 1\nm{b="1"} 1\nm{b="1",b="2"} 1\n', 3, 9, /duplicate label name b/],
    ['m{a="1"} 1\nm{a="1",a="2"} 1\n', 2, 9, /duplicate label name a/],
    ['m abc\n', 1, 3, /invalid value/],
    ['m 1e999\n', 1, 3, /invalid value/],
    ['ok 1\nm-x 1\n', 2, 2, /invalid character/],
    ['# TYPE m gauge\n# TYPE m gauge\n', 2, 1, /second TYPE/],
    ['m 1\n# TYPE m gauge\n', 2, 1, /after its samples/],
    ['# TYPE m info\n', 1, 10, /invalid metric type/],
    ['# TYPE h histogram\nh_bucket 1\n', 2, 9, /without "le"/],
    ['# TYPE s summary\ns 1\n', 2, 2, /without "quantile"/],
    ['m{le="x"} 1\n', 1, 7, /must be a float/],
  ])('reports %j at line %i column %i', (body, line, column, message) => {
    const e = err(body, 'text')
    expect(e).toMatchObject({ line, column })
    expect(e.message).toMatch(message)
  })
})

describe('OpenMetrics 1.0', () => {
  it('reads counters with _total/_created, exemplars, UNIT and timestamps in seconds', () => {
    const fams = ok(
      [
        '# TYPE req_seconds counter',
        '# UNIT req_seconds seconds',
        '# HELP req_seconds Time \\"spent\\"',
        'req_seconds_total{a="1"} 2.5 1520879607.789 # {trace_id="abc"} 0.5 1520879607.7',
        'req_seconds_created{a="1"} 1520870000',
        '# EOF',
      ].join('\n') + '\n',
      'openmetrics',
    )
    expect(fams).toEqual([
      {
        name: 'req_seconds', type: 'counter', unit: 'seconds', help: 'Time "spent"',
        samples: [
          { name: 'req_seconds_total', labels: { a: '1' }, value: 2.5, timestampMs: 1520879607789, exemplar: { labels: { trace_id: 'abc' }, value: 0.5, timestamp: 1520879607.7 } },
          { name: 'req_seconds_created', labels: { a: '1' }, value: 1520870000 },
        ],
      },
    ])
  })

  it('reads info, stateset, gaugehistogram, summary, unknown', () => {
    const fams = ok(
      [
        '# TYPE build info', 'build_info{version="1.2"} 1',
        '# TYPE feature stateset', 'feature{feature="a"} 1', 'feature{feature="b"} 0',
        '# TYPE queue gaugehistogram', 'queue_bucket{le="1"} 2', 'queue_bucket{le="+Inf"} 3', 'queue_gcount 3', 'queue_gsum 4',
        '# TYPE rpc summary', 'rpc{quantile="0.9"} 1', 'rpc_sum 1', 'rpc_count 1', 'rpc_created 1',
        '# TYPE other unknown', 'other 1',
        'implicit 2',
        '# EOF',
      ].join('\n'),
      'openmetrics',
    )
    expect(fams.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['build', 'info', 1], ['feature', 'stateset', 2], ['queue', 'gaugehistogram', 4], ['rpc', 'summary', 4], ['other', 'unknown', 1], ['implicit', 'unknown', 1],
    ])
  })

  it('accepts a counter declared with its _total name (some clients do)', () => {
    const fams = ok('# TYPE c_total counter\nc_total 1\n# EOF\n', 'openmetrics')
    expect(fams[0]).toMatchObject({ name: 'c_total', type: 'counter' })
  })

  it.each([
    ['m 1\n', 2, 1, /missing "# EOF"/],
    ['m 1', 1, 4, /missing "# EOF"/],
    ['m 1\n# EOF\nm 2\n', 3, 1, /after # EOF/],
    ['m 1\n\n# EOF\n', 2, 1, /empty line/],
    ['# hello\n# EOF\n', 1, 3, /comments are not allowed/],
    ['m  1\n# EOF\n', 1, 3, /invalid value/],
    ['m{a="1", b="2"} 1\n# EOF\n', 1, 9, /invalid label name/],
    ['# TYPE c counter\nc 1\n# EOF\n', 2, 1, /does not belong to counter family c/],
    ['# TYPE m untyped\n# EOF\n', 1, 10, /invalid metric type/],
    ['# UNIT m_bytes seconds\n# EOF\n', 1, 16, /not a suffix/],
    ['m 1 # {a="b"} x\n# EOF\n', 1, 15, /exemplar value/],
    ['m 1 NaN\n# EOF\n', 1, 5, /timestamp/],
    // A quoted name needs the quotes closed (Prometheus 3 reads quoted names in both formats: utf8-names.test.ts).
    ['{"utf8.name} 1\n# EOF\n', 1, 1, /UTF-8/],
  ])('reports %j at line %i column %i', (body, line, column, message) => {
    const e = err(body, 'openmetrics')
    expect(e).toMatchObject({ line, column })
    expect(e.message).toMatch(message)
  })
})
