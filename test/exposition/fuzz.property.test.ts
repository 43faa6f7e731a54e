import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mergeBodies, parseExposition, scanBody, writeExposition } from '../../src/exposition/index.ts'
import type { Format, ParseResult } from '../../src/exposition/types.ts'
import { familiesArb, mutate, mutationArb } from './arbitraries.ts'

const FORMATS: Format[] = ['text', 'openmetrics']

function checkResult(body: string, r: ParseResult): void {
  if (r.ok) return
  const lines = body.split('\n').length
  expect(r.error.line).toBeGreaterThanOrEqual(1)
  expect(r.error.line).toBeLessThanOrEqual(lines + 1)
  expect(r.error.column).toBeGreaterThanOrEqual(1)
  expect(r.error.message.length).toBeGreaterThan(0)
  expect(r.error.message).not.toMatch(/internal parser error/)
}

describe.each(FORMATS)('robustness (%s)', (format) => {
  it('never throws on random strings and reports a position', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('a', '{', '}', '"', '\\', '\n', ' ', '#', '=', ',', '1', 'E', 'O', 'F') })), (body) => {
        checkResult(body, parseExposition(body, format))
        const b = scanBody(body, format)
        if (!b.ok) expect(b.error.line).toBeGreaterThanOrEqual(1)
      }),
      { numRuns: 1000 },
    )
  })

  it('never throws on mutated valid bodies, and both parse entry points agree', () => {
    fc.assert(
      fc.property(familiesArb(format), mutationArb, (families, ms) => {
        const body = mutate(writeExposition(families, format), ms)
        const r = parseExposition(body, format)
        checkResult(body, r)
        const b = scanBody(body, format)
        expect(b.ok).toBe(r.ok)
        if (!b.ok && !r.ok) expect(b.error).toEqual(r.error)
        const merged = mergeBodies([{ body, format, labels: { app_name: 'x' } }], format === 'text' ? 'openmetrics' : 'text')
        expect(merged.failures.length).toBe(r.ok ? 0 : 1)
        // Whatever survives parsing must be written as something that parses again (a text body
        // carries none of OpenMetrics' structure rules, so its OpenMetrics rendering is read without them).
        const again = parseExposition(merged.body, format === 'text' ? 'openmetrics' : 'text', { structure: false })
        if (!again.ok) throw new Error(`${JSON.stringify(again.error)}\n--- input\n${body}\n--- output\n${merged.body}`)
      }),
      { numRuns: 800 },
    )
  })
})
