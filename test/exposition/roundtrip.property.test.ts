import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mergeBodies, parseExposition, scanBody, writeExposition } from '../../src/exposition/index.ts'
import type { Format } from '../../src/exposition/types.ts'
import { familiesArb } from './arbitraries.ts'

const FORMATS: Format[] = ['text', 'openmetrics']

describe.each(FORMATS)('round trip (%s)', (format) => {
  it('parse(write(x)) equals x', () => {
    fc.assert(
      fc.property(familiesArb(format), (families) => {
        const body = writeExposition(families, format)
        const parsed = parseExposition(body, format)
        if (!parsed.ok) throw new Error(`${JSON.stringify(parsed.error)}\n${body}`)
        expect(parsed.families).toEqual(families)
      }),
      { numRuns: 400 },
    )
  })

  it('the fused path without labels writes what the public writer writes', () => {
    fc.assert(
      fc.property(familiesArb(format), (families) => {
        const body = writeExposition(families, format)
        const nonEmpty = families.filter((f) => f.samples.length > 0)
        const merged = mergeBodies([{ body, format, labels: {} }], format)
        expect(merged.failures).toEqual([])
        expect(merged.body).toBe(writeExposition(nonEmpty, format))
      }),
      { numRuns: 200 },
    )
  })

  it('converting to the other format and back keeps every series', () => {
    const other: Format = format === 'text' ? 'openmetrics' : 'text'
    fc.assert(
      fc.property(familiesArb(format), (families) => {
        const converted = writeExposition(families, other)
        const back = parseExposition(converted, other)
        if (!back.ok) throw new Error(`${JSON.stringify(back.error)}\n${converted}`)
        const seriesOf = (fs: typeof families, dropCreated: boolean): string[] =>
          fs.flatMap((f) => f.samples)
            .filter((s) => !(dropCreated && s.name.endsWith('_created')))
            .map((s) => `${s.name}${JSON.stringify(s.labels)}=${Object.is(s.value, -0) ? '-0' : s.value}@${s.timestampMs}`)
            .sort()
        expect(seriesOf(back.families, false)).toEqual(seriesOf(families, other === 'text'))
        const parsed = scanBody(converted, other)
        expect(parsed.ok).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})
