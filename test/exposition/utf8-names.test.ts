/**
 * UTF-8 (quoted) names in the text format, as Prometheus 3 writes them: read, and written with
 * Prometheus's `underscores` escaping, so that every Prometheus and promtool read the merged answer.
 */
import { describe, expect, it } from 'vitest'
import { mergeBodies } from '../../src/exposition/merge.ts'
import { parseExposition } from '../../src/exposition/parse.ts'
import { encodedName, legacyName, mayHaveQuotedNames, quoteEncodedNames, withRespelledNames } from '../../src/exposition/utf8-names.ts'

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
    expect(withRespelledNames(body)).toBe('# HELP my_metric help "quoted"\n# TYPE my_metric counter\nmy_metric{label_name="a,\\"b}",plain="x"} 1 1234\nlegacy{odd_label="v"} 2\n')
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

describe('quoted names for a scraper that allows UTF-8 (escaping=allow-utf-8)', () => {
  const body = '# HELP "my.metric_total" Requests "served".\n# TYPE "my.metric_total" counter\n{"my.metric_total","label.name"="a,\\"b}",plain="x"} 1\n{"1st ü"} 2\nlegacy_total{"odd-label"="__u8_61_x"} 3\n'

  it('spells a name reversibly, keeping its legacy tail where suffixes are looked for', () => {
    expect(encodedName('my.metric_total')).toBe('__u8_6d792e_metric_total')
    expect(encodedName('my.metric')).toBe('__u8_6d792e_metric')
    expect(encodedName('plain_name')).toBe('plain_name')
    expect(encodedName('1st')).toBe('__u8_31_st')
    expect(encodedName('a:b', true)).toBe('__u8_613a_b')
    expect(quoteEncodedNames('__u8_6d792e_metric_total{__u8_613a_b="__u8_61_x"} 1\n')).toBe('{"my.metric_total","a:b"="__u8_61_x"} 1\n')
  })

  it('merges them into both formats with the names quoted again, labels added, values untouched', () => {
    for (const format of ['text', 'openmetrics'] as const) {
      const merged = mergeBodies([{ body, format: 'text', labels: { app_name: 'x' } }], format, 'allow-utf-8')
      expect(merged.failures).toEqual([])
      const lines = merged.body.split('\n')
      expect(lines).toContain('{"my.metric_total","label.name"="a,\\"b}",plain="x",app_name="x"} 1')
      expect(lines).toContain('{"1st ü",app_name="x"} 2')
      expect(lines).toContain('legacy_total{"odd-label"="__u8_61_x",app_name="x"} 3')
      expect(merged.body).not.toMatch(/__u8_[0-9a-f]+_[a-z_]*[{ ]/)
      // Read back (as Prometheus 3 would): every sample under its UTF-8 name, escaped here only to compare.
      const again = parseExposition(merged.body, format)
      expect(again.ok && again.families.flatMap((f) => f.samples.map((s) => s.name))).toEqual(['my_metric_total', '_1st__', 'legacy_total'])
    }
    const om = mergeBodies([{ body, format: 'text', labels: {} }], 'openmetrics', 'allow-utf-8').body
    expect(om).toContain('# TYPE "my.metric" counter\n')
    expect(om).toContain('# HELP "my.metric" Requests \\"served\\".\n')
  })

  it('writes them escaped with underscores for every other scraper', () => {
    const merged = mergeBodies([{ body, format: 'text', labels: {} }], 'text')
    expect(merged.body).toContain('my_metric_total{label_name="a,\\"b}",plain="x"} 1')
    expect(merged.body).not.toContain('"my.metric')
  })
})
