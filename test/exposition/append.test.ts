import { describe, expect, it } from 'vitest'
import { appendFamilies, enrichBody, parseExposition } from '../../src/exposition/index.ts'
import type { MetricFamily } from '../../src/exposition/types.ts'

const ours: MetricFamily[] = [
  { name: 'promregator_up', type: 'gauge', help: 'Up', samples: [{ name: 'promregator_up', labels: {}, value: 1 }] },
  { name: 'promregator_scrape_duration_seconds', type: 'gauge', unit: 'seconds', samples: [{ name: 'promregator_scrape_duration_seconds', labels: {}, value: 0.25 }] },
]

describe('appendFamilies', () => {
  it('appends to a text body, adding a missing final newline', () => {
    expect(appendFamilies('a 1', 'text', ours.slice(0, 1))).toBe('a 1\n# HELP promregator_up Up\n# TYPE promregator_up gauge\npromregator_up 1\n')
    expect(appendFamilies('a 1\n', 'text', [])).toBe('a 1\n')
    expect(appendFamilies('', 'text', ours.slice(0, 1))).toBe('# HELP promregator_up Up\n# TYPE promregator_up gauge\npromregator_up 1\n')
  })

  it.each([
    ['a 1\n# EOF\n'],
    ['a 1\n# EOF'],
    ['a 1\n# EOF\n\n'],
    ['a 1\n'],
    ['a 1'],
  ])('moves # EOF to the end of an OpenMetrics body (%j)', (body) => {
    const out = appendFamilies(body, 'openmetrics', ours)
    expect(out.match(/# EOF/g)).toHaveLength(1)
    expect(out.startsWith('a 1\n')).toBe(true)
    expect(out.endsWith('promregator_scrape_duration_seconds 0.25\n# EOF\n')).toBe(true)
    expect(out).toContain('# UNIT promregator_scrape_duration_seconds seconds\n')
    expect(parseExposition(out, 'openmetrics').ok).toBe(true)
  })

  it('does not mistake a label value containing # EOF for the terminator', () => {
    const out = appendFamilies('a{x="# EOF"} 1\n# EOF\n', 'openmetrics', [])
    expect(out).toBe('a{x="# EOF"} 1\n# EOF\n')
  })
})

describe('enrichBody', () => {
  it('adds labels like /metrics, appends our families, and can convert formats', () => {
    const r = enrichBody('# TYPE c counter\nc_total{app_name="x"} 1\n# EOF\n', 'openmetrics', { app_name: 'a' }, ours.slice(0, 1), 'text')
    expect(r).toEqual({
      ok: true,
      conflicts: [],
      body: '# TYPE c_total counter\nc_total{exported_app_name="x",app_name="a"} 1\n# HELP promregator_up Up\n# TYPE promregator_up gauge\npromregator_up 1\n',
    })
  })

  it('reports an unparsable body', () => {
    const r = enrichBody('c{ 1\n', 'text', { app_name: 'a' })
    expect(r.ok).toBe(false)
  })
})
