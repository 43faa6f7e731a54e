/**
 * UTF-8 (quoted) names in the text format, as Prometheus 3 writes them: read, and written with
 * Prometheus's `underscores` escaping, so that every Prometheus and promtool read the merged answer.
 */
import { describe, expect, it } from 'vitest'
import { mergeBodies } from '../../src/exposition/merge.ts'
import { parseExposition } from '../../src/exposition/parse.ts'
import { legacyName, mayHaveQuotedNames, withLegacyNames } from '../../src/exposition/utf8-names.ts'

describe('quoted names in text bodies', () => {
  it('escapes names as Prometheus does with underscores', () => {
    expect(legacyName('my.metric')).toBe('my_metric')
    expect(legacyName('a:b.c')).toBe('a:b_c')
    expect(legacyName('a:b', true)).toBe('a_b')
    expect(legacyName('1st')).toBe('_1st')
    expect(legacyName('ümlaut 🙂')).toBe('_mlaut__')
  })

  it('rewrites the metric name inside the braces, quoted label names, and HELP/TYPE names', () => {
    const body = '# HELP "my.metric" help "quoted"\n# TYPE "my.metric" counter\n{"my.metric","label.name"="a,\\"b}", plain="x"} 1 1234\nlegacy{"odd-label"="v"} 2\n'
    expect(withLegacyNames(body)).toBe('# HELP my_metric help "quoted"\n# TYPE my_metric counter\nmy_metric{label_name="a,\\"b}",plain="x"} 1 1234\nlegacy{odd_label="v"} 2\n')
    const parsed = parseExposition(body, 'text')
    expect(parsed.ok && parsed.families.map((f) => [f.name, f.type, f.samples.map((s) => [s.labels, s.value])])).toEqual([
      ['my_metric', 'counter', [[{ label_name: 'a,"b}', plain: 'x' }, 1]]],
      ['legacy', 'untyped', [[{ odd_label: 'v' }, 2]]],
    ])
  })

  it('leaves bodies without quoted names alone, and merges quoted ones into both formats', () => {
    expect(mayHaveQuotedNames('a{b="1",c="2"} 1\n# HELP a x\n')).toBe(false)
    const merged = mergeBodies([{ body: '{"my.metric"} 1\n', format: 'text', labels: { app_name: 'x' } }], 'openmetrics')
    expect(merged.failures).toEqual([])
    expect(merged.body).toContain('my_metric{app_name="x"} 1')
  })
})
